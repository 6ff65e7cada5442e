# A dict of 150 entries (more than the 100 shown): deleting early keys slides later ones into view.
squares = {}
for n in range(150):
    squares[n] = n * n
del squares[0]
del squares[1]
squares.pop(50)
squares[200] = 40000
squares[2] = -4
size = len(squares)
print(size, squares[2], squares[149])
