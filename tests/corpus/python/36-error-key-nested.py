# Uncaught KeyError raised three calls deep: every frame is unwound.
inventory = {"apple": 3, "pear": 1}


def lookup(name):
    return inventory[name]


def restock(name, amount):
    current = lookup(name)
    inventory[name] = current + amount


def plan(order):
    for name, amount in order:
        restock(name, amount)


plan([("apple", 2), ("plum", 5)])
print(inventory)
