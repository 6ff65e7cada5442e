# Deliberately wrong: treats equal values as the same element (`c != x`), so a pair of two
# equal numbers ([3, 3] with target 6) is never found. Correct on every input whose answer is
# made of two different values; the problem tests assert exactly which cases it fails.
def two_sum(nums, target):
    pos = {x: i for i, x in enumerate(nums)}
    for i, x in enumerate(nums):
        c = target - x
        if c in pos and c != x:
            return [i, pos[c]]
    return []
