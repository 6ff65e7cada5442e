# List, dict and set comprehensions, nested and filtered.
nums = list(range(10))
squares = [n * n for n in nums]
evens = [n for n in nums if n % 2 == 0]
index = {n: n * n for n in evens}
letters = {ch for ch in "banana"}
pairs = [(i, j) for i in range(3) for j in range(i)]
grid = [[r * 3 + c for c in range(3)] for r in range(3)]
flat = [x for row in grid for x in row]
print(squares, index, sorted(letters), pairs, flat)
