# Binary search with a while loop over a sorted list.
def binary_search(arr, target):
    lo, hi = 0, len(arr) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if arr[mid] == target:
            return mid
        elif arr[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


sorted_list = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
found = binary_search(sorted_list, 13)
missing = binary_search(sorted_list, 4)
print(found, missing)
