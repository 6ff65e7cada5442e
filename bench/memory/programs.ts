/** The bench's runs, what a class sends: small programs, a few hundred steps at most, in both traced languages. */

export const PROGRAMS: Array<{ name: string; language: 'python' | 'javascript'; code: string }> = [
  {
    name: 'bubble sort (py)',
    language: 'python',
    code: 'nums = [64, 25, 12, 22, 11, 90, 3, 47, 5, 38]\nn = len(nums)\nfor i in range(n):\n    swapped = False\n    for j in range(n - 1 - i):\n        if nums[j] > nums[j + 1]:\n            nums[j], nums[j + 1] = nums[j + 1], nums[j]\n            swapped = True\n    if not swapped:\n        break\nprint(nums)\n',
  },
  {
    name: 'two_sum (py)',
    language: 'python',
    code: 'def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n    return []\n\nprint(two_sum([2, 7, 11, 15, 1, 8, 3], 18))\n',
  },
  { name: 'print loop (py)', language: 'python', code: 'for i in range(20):\n    print("line", i, i * i)\n' },
  {
    name: 'bubble sort (js)',
    language: 'javascript',
    code: 'const nums = [64, 25, 12, 22, 11, 90, 3, 47, 5, 38];\nfor (let i = 0; i < nums.length; i++) {\n  let swapped = false;\n  for (let j = 0; j < nums.length - 1 - i; j++) {\n    if (nums[j] > nums[j + 1]) {\n      [nums[j], nums[j + 1]] = [nums[j + 1], nums[j]];\n      swapped = true;\n    }\n  }\n  if (!swapped) break;\n}\nconsole.log(nums);\n',
  },
  {
    name: 'two_sum (js)',
    language: 'javascript',
    code: 'function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n  return [];\n}\nconsole.log(twoSum([2, 7, 11, 15, 1, 8, 3], 18));\n',
  },
  { name: 'print loop (js)', language: 'javascript', code: 'for (let i = 0; i < 20; i++) console.log("line", i, i * i);\n' },
];
