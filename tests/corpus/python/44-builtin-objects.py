# Values of built-in types shown as "other": range, bytes, complex, types, modules, functions.
import math

r = range(2, 20, 3)
raw = b"bytes\x00here"
buf = bytearray(b"abc")
buf.append(100)
z = complex(1, -2)
t = type(r)
f = math.sqrt
root = f(16.0)
pi = math.pi
nothing = None
flags = [True, False, None]


def helper():
    return 1


fn = helper
cls = int
print(list(r), raw, buf, z, t, root, pi, fn(), cls("7"))
