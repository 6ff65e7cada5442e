# Uncaught ZeroDivisionError inside a function called from a loop.
def average(values):
    return sum(values) / len(values)


groups = [[1, 2, 3], [4, 5], []]
means = []
for g in groups:
    means.append(average(g))
print(means)
