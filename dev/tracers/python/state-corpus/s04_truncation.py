a = list(range(6))
a.insert(0, -1)
a.pop(0)
a.pop()
a.append(99)
a += [100, 101]
a[1:3] = []
a.reverse()
a.sort()
s = 'abcdefghij'
s2 = s[:4]
s3 = s * 3
big = 2 ** 70
neg = -big
huge = 7 ** 3000
f1 = float('nan')
f2 = float('inf')
f3 = -f2
z = -0.0
u = 'h\u00e9llo \u2603 \U0001F600'
lone = '\ud800x'
d = {i: str(i) * 7 for i in range(6)}
del d[0]
d[0] = 'zero'
del d[4]
t = tuple(range(10))
st = set(range(8))
st.discard(0)
long_key = {'k' * 20: 1}
