def fib_gen(limit):
    a, b = 0, 1
    seen = []
    while a < limit:
        seen.append(a)
        yield a
        a, b = b, a + b
    return seen

def accumulate():
    total = 0
    history = []
    while True:
        x = yield total
        if x is None:
            return history
        total += x
        history.append(total)

g = fib_gen(20)
first = next(g)
second = next(g)
rest = list(g)
acc = accumulate()
next(acc)
acc.send(3)
acc.send(4)
try:
    acc.send(None)
except StopIteration as stop:
    hist = stop.value
def chain(*its):
    for it in its:
        yield from it
merged = [v for v in chain([1, 2], (3,), fib_gen(3))]
lazy = (x * x for x in range(3))
consumed = sum(lazy)
