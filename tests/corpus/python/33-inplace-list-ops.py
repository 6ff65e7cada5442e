# In-place list operations: append, pop, insert, remove, reverse, extend, sort, clear.
stack = []
for v in (3, 1, 4, 1, 5):
    stack.append(v)
top = stack.pop()
stack.insert(0, 9)
stack.insert(2, 2)
stack.remove(1)
stack.reverse()
stack.extend([6, 5])
stack.sort()
stack += [7]
first = stack.pop(0)
copy = stack.copy()
stack.clear()
print(top, first, copy, stack)
