# Generators: each resumption runs a generator frame again.
def countdown(n):
    while n > 0:
        yield n
        n -= 1


def squares(limit):
    for k in range(limit):
        yield k * k


total = 0
for v in countdown(4):
    total += v
gen = squares(5)
first = next(gen)
second = next(gen)
rest = list(gen)
lazy = sum(x for x in range(6) if x % 2)
print(total, first, second, rest, lazy)
