# Tuples holding lists: the tuple is immutable, the lists inside are not.
pair = ([1, 2], [3])
pair[0].append(3)
point = (3, 4)
x, y = point
nested = (point, pair, "label")
pair[1].extend([4, 5])
swap = (y, x)
print(pair, nested, swap)
