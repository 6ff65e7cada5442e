def make_counter():
    count = 0
    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc

c = make_counter()
c()
c(5)

def outer(x):
    def middle(y):
        def inner(z):
            return x + y + z
        return inner(y * 2)
    return middle(x + 1)

def compose(f, g):
    return lambda v: f(g(v))

inc2 = compose(lambda a: a + 1, lambda b: b * 2)
print(outer(1), inc2(5))
