# A class with methods that mutate instance fields.
class BankAccount:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history.append(("deposit", amount))

    def withdraw(self, amount):
        if amount > self.balance:
            self.history.append(("refused", amount))
            return False
        self.balance -= amount
        self.history.append(("withdraw", amount))
        return True


acct = BankAccount("ada", 10)
acct.deposit(50)
ok = acct.withdraw(30)
refused = acct.withdraw(100)
print(acct.owner, acct.balance, ok, refused, len(acct.history))
