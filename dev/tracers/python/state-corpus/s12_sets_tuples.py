from collections import namedtuple
s = {3, 1, 2}
s.add(5)
s.remove(1)
s |= {9, 10}
fs = frozenset(s)
inner = [1]
t = (inner, 'x')
inner.append(2)
t[0].append(3)
Pt = namedtuple('Pt', 'x y')
p = Pt(1, [2])
p.y.append(3)
pairs = [(i, i * i) for i in range(4)]
pairs[0] = (0, 'zero')
empty = ()
single = (1,)
