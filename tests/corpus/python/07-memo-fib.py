# Memoized Fibonacci: a dict shared across recursive calls, growing as results arrive.
memo = {0: 0, 1: 1}


def fib(n):
    if n in memo:
        return memo[n]
    value = fib(n - 1) + fib(n - 2)
    memo[n] = value
    return value


print(fib(30))
print(len(memo))
