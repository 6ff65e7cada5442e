function rotate(nums, k) {
  const n = nums.length;
  if (n === 0) return nums;
  k %= n;
  const reverse = (i, j) => {
    for (; i < j; i++, j--) [nums[i], nums[j]] = [nums[j], nums[i]];
  };
  reverse(0, n - 1);
  reverse(0, k - 1);
  reverse(k, n - 1);
  return nums;
}
