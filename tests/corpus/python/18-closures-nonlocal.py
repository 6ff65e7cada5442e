# Closures: counters with nonlocal state, and a closure captured per loop iteration.
def make_counter(start):
    count = start

    def inc(step=1):
        nonlocal count
        count += step
        return count

    return inc


c1 = make_counter(0)
c2 = make_counter(100)
c1()
c1(5)
c2()


def make_adders():
    adders = []
    for k in range(3):
        adders.append(lambda x, k=k: x + k)
    return adders


results = [f(10) for f in make_adders()]
print(c1(), c2(), results)
