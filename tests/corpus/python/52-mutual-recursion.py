# Mutual recursion between two functions, then a recursive sum over nested lists.
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def deep_sum(x):
    if isinstance(x, list):
        total = 0
        for item in x:
            total += deep_sum(item)
        return total
    return x


nested = [1, [2, [3, [4]], 5], [[6]]]
print(is_even(10), is_odd(7), deep_sum(nested))
