# Generators chained with yield from, and send() into a running generator.
def numbers(n):
    for i in range(n):
        yield i


def evens(source):
    for x in source:
        if x % 2 == 0:
            yield x


def chain(*sources):
    for s in sources:
        yield from s


def running_total():
    total = 0
    while True:
        value = yield total
        total += value


pipeline = list(chain(evens(numbers(8)), "ab"))
acc = running_total()
next(acc)
acc.send(5)
last = acc.send(10)
print(pipeline, last)
