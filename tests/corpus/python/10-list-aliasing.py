# Aliasing: two names for one list, a copy, and a list mutated through a parameter.
a = [1, 2, 3]
b = a
c = a[:]
b.append(4)
c.append(99)


def add_item(lst, item):
    lst.append(item)
    lst = [0]
    lst.append(item)
    return lst


d = add_item(a, 5)
rows = [[0] * 3] * 3
rows[0][0] = 1
good = [[0] * 3 for _ in range(3)]
good[0][0] = 1
print(a, b, c, d, rows, good)
