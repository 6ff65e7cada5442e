def max_subarray(nums):
    best = here = nums[0]
    for x in nums[1:]:
        here = max(x, here + x)
        best = max(best, here)
    return best
