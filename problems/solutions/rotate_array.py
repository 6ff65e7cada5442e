def rotate(nums, k):
    if not nums:
        return nums
    k %= len(nums)
    nums[:] = nums[len(nums) - k:] + nums[:len(nums) - k]
    return nums
