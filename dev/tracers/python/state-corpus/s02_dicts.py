d = {}
d['a'] = 1
d['b'] = [1, 2]
d['c'] = 3
d['a'] = 10
del d['b']
d['b'] = 'again'
d.pop('a')
d['a'] = 'end'
d.update({'x': 1, 'y': 2})
d.setdefault('z', [])
d['z'].append(5)
k = (1, 2)
d[k] = 'tuple key'
d[3] = 'int key'
d[3.5] = None
nested = {'inner': {'deep': [1]}}
nested['inner']['deep'].append(2)
nested['inner']['new'] = {}
squares = {n: n * n for n in range(5)}
squares.popitem()
squares.clear()
m = dict(zip('abc', range(3)))
m['b'], m['a'] = m['a'], m['b']
for key in list(m):
    m[key] *= 2
del m['c']
m['c'] = -1
