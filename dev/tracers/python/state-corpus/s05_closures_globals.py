counter = 0
log = []

def bump():
    global counter
    counter += 1
    log.append(counter)

def make():
    total = 0
    items = []
    def add(x):
        nonlocal total
        total += x
        items.append(x)
        return total
    def peek():
        return total, len(items)
    return add, peek

bump()
bump()
add, peek = make()
add(5)
add(7)
print(peek())

def outer():
    v = 1
    def inner():
        nonlocal v
        v = v * 10
        return v
    inner()
    inner()
    return v
outer()

def sneaky():
    globals()['injected'] = [1, 2]
sneaky()
del log
