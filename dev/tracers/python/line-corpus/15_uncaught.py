def level3(items, k):
    total = 0
    for x in items:
        total += x
    return items[k] + total

def level2(items, k):
    try:
        return level3(items, k)
    finally:
        items.append(0)

def level1(items):
    results = []
    for k in (0, 1, 10):
        results.append(level2(items, k))
    return results

print(level1([1, 2, 3]))
