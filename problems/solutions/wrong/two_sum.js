// Deliberately wrong: treats equal values as the same element (`c !== x`), so a pair of two
// equal numbers ([3, 3] with target 6) is never found. Correct on every input whose answer is
// made of two different values; the problem tests assert exactly which cases it fails.
function twoSum(nums, target) {
  const pos = new Map();
  nums.forEach((x, i) => pos.set(x, i));
  for (let i = 0; i < nums.length; i++) {
    const x = nums[i], c = target - x;
    if (pos.has(c) && c !== x) return [i, pos.get(c)];
  }
  return [];
}
