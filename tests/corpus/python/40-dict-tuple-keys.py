# Dict keys that are tuples (heap objects as keys): a sparse grid keyed by (row, col).
grid = {}
for r in range(3):
    for c in range(3):
        if (r + c) % 2 == 0:
            grid[(r, c)] = r * 3 + c
origin = (0, 0)
grid[origin] = "origin"
del grid[(2, 2)]
neighbors = {}
for (r, c), v in grid.items():
    neighbors[(r, c)] = [(r + dr, c + dc) for dr, dc in ((0, 1), (1, 0)) if (r + dr, c + dc) in grid]
print(grid, neighbors)
