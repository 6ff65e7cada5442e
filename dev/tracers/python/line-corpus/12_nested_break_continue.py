def find_pair(nums, target):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                return i, j
            if nums[j] > target:
                break
    return None

def primes(limit):
    out = []
    for n in range(2, limit):
        for p in out:
            if p * p > n:
                break
            if n % p == 0:
                break
        else:
            out.append(n)
            continue
        out = out
    return out

grid = [[1, 2], [3, 4]]
for row in grid:
    for cell in row:
        if cell == 2:
            continue
        elif cell == 4: break
        print(cell)
print(find_pair([1, 4, 6, 9], 10), primes(20))
