# Insertion sort: shifting elements right with a while loop.
def insertion_sort(items):
    for i in range(1, len(items)):
        key = items[i]
        j = i - 1
        while j >= 0 and items[j] > key:
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = key


nums = [12, 11, 13, 5, 6, 7, 1]
insertion_sort(nums)
print(nums)
