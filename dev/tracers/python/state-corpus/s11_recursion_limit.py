def down(n):
    return down(n + 1)

def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n

try:
    down(0)
except RecursionError as e:
    msg = str(e)
reached = depth(0)
ok = reached > 500
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
f = fact(50)
down(0)
