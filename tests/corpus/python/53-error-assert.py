# Uncaught AssertionError from a failed invariant check inside a loop.
def check_sorted(xs):
    for i in range(len(xs) - 1):
        assert xs[i] <= xs[i + 1], "out of order at %d" % i
    return True


check_sorted([1, 2, 3])
check_sorted([1, 3, 2, 4])
