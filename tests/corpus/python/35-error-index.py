# Uncaught IndexError: an off-by-one loop bound.
items = [1, 2, 3, 4]
total = 0
for i in range(len(items) + 1):
    total += items[i]
print(total)
