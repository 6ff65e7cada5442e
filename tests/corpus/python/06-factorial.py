# Recursive and iterative factorial; the recursive one is deep and returns big ints.
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def fact_iter(n):
    acc = 1
    for k in range(2, n + 1):
        acc *= k
    return acc


small = fact(5)
big = fact(25)
same = big == fact_iter(25)
print(small, big, same)
