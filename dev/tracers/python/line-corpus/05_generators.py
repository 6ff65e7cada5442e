def count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1

def squares(gen):
    for v in gen:
        yield v * v

def echo():
    received = []
    while True:
        x = yield len(received)
        if x is None:
            break
        received.append(x)
    return received

for s in squares(count_up(4)):
    print(s)
total = sum(x for x in count_up(5))
g = echo()
next(g)
g.send('a')
g.send('b')
try:
    g.send(None)
except StopIteration as stop:
    print(stop.value)
def delegate():
    yield from count_up(2)
    yield 'done'
print(list(delegate()))
