# Uncaught custom exception raised after a caught one and a finally block.
class InsufficientFunds(Exception):
    def __init__(self, needed):
        super().__init__("need %d more" % needed)
        self.needed = needed


def withdraw(balance, amount):
    try:
        if amount > balance:
            raise InsufficientFunds(amount - balance)
        return balance - amount
    finally:
        print("checked", amount)


balance = withdraw(100, 30)
try:
    withdraw(balance, 500)
except InsufficientFunds as e:
    shortfall = e.needed
balance = withdraw(balance, shortfall)
