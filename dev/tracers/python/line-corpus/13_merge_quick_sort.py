def merge_sort(a):
    if len(a) <= 1:
        return a
    mid = len(a) // 2
    left = merge_sort(a[:mid])
    right = merge_sort(a[mid:])
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i]); i += 1
        else:
            out.append(right[j]); j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out

def quick(a, lo, hi):
    if lo >= hi:
        return
    p = a[hi]; k = lo
    for m in range(lo, hi):
        if a[m] < p:
            a[m], a[k] = a[k], a[m]
            k += 1
    a[k], a[hi] = a[hi], a[k]
    quick(a, lo, k - 1)
    quick(a, k + 1, hi)

arr = [5, 2, 9, 1, 5, 6]
print(merge_sort(arr))
quick(arr, 0, len(arr) - 1)
print(arr)
