import math
from functools import reduce

def deco(fn):
    def wrapper(*args, **kw):
        return fn(*args, **kw)
    return wrapper

@deco
def area(r):
    return math.pi * r ** 2

async def coro(x):
    return x + 1

def run_coro(c):
    try:
        c.send(None)
    except StopIteration as e:
        return e.value

data = {'a': 1, 'b': 2}
for key, val in data.items():
    data[key] = val * 10
del data['a']
total = reduce(lambda acc, v: acc + v, [1, 2, 3], 0)
match total:
    case 6:
        kind = 'six'
    case _:
        kind = 'other'
assert kind == 'six', "bad"
print(round(area(2), 2), run_coro(coro(1)), total, kind)
i = 0
while i < 3:
    i += 1; j = i * 2
print(i, j)
