# Naive recursive Fibonacci: many nested calls and returns.
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


answer = fib(7)
print(answer)
