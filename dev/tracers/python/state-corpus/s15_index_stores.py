a = [5, 3, 8, 1]
b = a
i = 0
a[i], a[i + 1] = a[i + 1], a[i]
a[-1] = 'last'
a[len(a) - 2] = [0]
a[i] = a
grid = [[0] * 3 for _ in range(3)]
for r in range(3):
    for c in range(3):
        grid[r][c] = r * c
grid[1] = grid[2]
grid[1][0] = 'shared'
d = {'k': 1}
d['k'] = 2
d['new'] = 3
n = 1
a[n], n = 'x', 2
a[n - 1] = True
a[n - 1] = 1
t = [0, 0]
t[0] += 5
t[1 - 1] -= 1
q = [1, 2, 3]
q[1] = q.pop()
q[0] = q[0]
k = 0
while k < 2: a[k] = k; k += 1
