# Item stores the tracer checks without its general resolver (a swap, a[i] = x), the cases it must leave to it, and
# names m_line must still test one by one (a dunder it hides, underscored names it shows).
a = [5, 3, 8, 1, 9, 2]
for j in range(len(a) - 1):
    if a[j] > a[j + 1]:
        a[j], a[j + 1] = a[j + 1], a[j]
a[-1] = 7
a[len(a) - 2] = 6
for i in range(1, 4):
    a[i - 1] = a[i]
b = a
b[0] = 40
a[2] = a
a[3] = [1, 2]
a[True] = 11
long = list(range(120))
long[110] = -1
long[5] = -5
d = {}
k = 3
d[k] = "three"


class L(list):
    pass


m = L([1, 2, 3])
m[1] = 20


def shift(xs, n):
    for q in range(n, len(xs)):
        xs[q - n] = xs[q]
    xs[-n:] = [0] * n
    return xs


shift([1, 2, 3, 4, 5], 2)
t = [0, 0]
t[0], t[1] = 1, 1
t[1] = t[0] + t[1]
_private = 1
for _k in range(3):
    _private += _k
__marker__ = 3
squares = [v * v for v in t]
