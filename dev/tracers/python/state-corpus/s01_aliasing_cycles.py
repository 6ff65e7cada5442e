a = [1, 2, 3]
b = a
c = [a, a]
a.append(c)
d = {'self': None}
d['self'] = d
b[0] = 'x'
a = [0] * 3
c[0] = a
c[1] = [1, 2]
c[1] = [1, 2]
t = (a, 5)
a.append(t)
a[0] = True
a[0] = 1
a[0] = 1.0
del b
x = y = []
y.append(x)
def f(lst):
    lst.append(len(lst))
    lst = lst + [9]
    lst.append('local only')
    return lst
r = f(a)
r2 = f(r)
