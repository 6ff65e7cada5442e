# Bubble sort in place: nested loops, swaps through tuple assignment.
def bubble_sort(a):
    n = len(a)
    for i in range(n):
        swapped = False
        for j in range(n - 1 - i):
            if a[j] > a[j + 1]:
                a[j], a[j + 1] = a[j + 1], a[j]
                swapped = True
        if not swapped:
            break
    return a


data = [5, 1, 4, 2, 8, 0, 3]
result = bubble_sort(data)
print(result, result is data)
