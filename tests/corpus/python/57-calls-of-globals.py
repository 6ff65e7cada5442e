# A segment whose one effect is calling a global: the tracer remembers the learner function it was, and must notice
# when the name is rebound (to another function, to a builtin that mutates) or the function's code is swapped.
import random


def helper(xs):
    xs.append(len(xs))
    return len(xs)


def run(xs):
    total = 0
    for _ in range(3):
        total += helper(xs)
    return total


def count(extra, xs):
    return len(xs)


def caller(xs):
    n = 0
    for _ in range(2):
        n = count(rng, xs)
    return n


data = [5, 1, 4]
rng = random.Random(7)
run(data)
caller(data)
count = random.Random.shuffle
caller(data)


def count2(extra, xs):
    return 0


count = count2
caller(data)
count2.__code__ = random.Random.shuffle.__code__
caller(data)
caller(data)
