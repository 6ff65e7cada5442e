/** The workbench's starter programs: each shows something the viewer draws (a sort, aliasing and cycles, viz arrays, an error, an endless loop). */
import type { Language } from '../sdk.ts';

export interface Example {
  id: string;
  title: string;
  language: Language;
  code: string;
  stdin?: string[];
  /** A benchmark that fits the program: its function and a built-in generator. */
  bench?: { entry: string; generator: string };
}

export const examples: Example[] = [
  {
    id: 'py-bubble',
    title: 'Bubble sort',
    language: 'python',
    code: `def bubble_sort(nums):
    n = len(nums)
    for i in range(n):
        swapped = False
        for j in range(n - 1 - i):
            if nums[j] > nums[j + 1]:
                nums[j], nums[j + 1] = nums[j + 1], nums[j]
                swapped = True
        if not swapped:
            break
    return nums

nums = [64, 25, 12, 22, 11, 90, 3, 47]
bubble_sort(nums)
print(nums)
`,
    bench: { entry: 'bubble_sort', generator: 'random_ints' },
  },
  {
    id: 'py-refs',
    title: 'References, aliasing and a cycle',
    language: 'python',
    code: `class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next

a = [1, 2, 3]
b = a                 # b is the same list as a
b.append(4)
pair = (a, "pair")
ages = {"ada": 36, "alan": 41}
seen = {3, 1, 2}
head = Node(1, Node(2, Node(3)))
head.next.next.next = head   # the last node points back: a cycle
print(a, len(ages), 2 in seen)
`,
  },
  {
    id: 'py-search',
    title: 'Binary search (viz API)',
    language: 'python',
    code: `def search(nums, target):
    a = viz.array("nums", nums)
    lo, hi = 0, len(nums) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        a.select(lo, hi)
        viz.step("look at mid", mid)
        if nums[mid] == target:
            a.patch(mid, "found")
            return mid
        a.deselect(lo, hi)
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    viz.note("not found")
    return -1

print(search([2, 3, 5, 7, 11, 13, 17, 19, 23], 17))
`,
    bench: { entry: 'search', generator: 'sorted_target' },
  },
  {
    id: 'py-input',
    title: 'Input and output',
    language: 'python',
    code: `name = input()
count = int(input())
for k in range(count):
    print(f"hello {name} #{k + 1}")
`,
    stdin: ['Ada', '3'],
  },
  {
    id: 'py-error',
    title: 'An exception',
    language: 'python',
    code: `def average(xs):
    return sum(xs) / len(xs)

print(average([4, 8]))
print(average([]))
`,
  },
  {
    id: 'py-loop',
    title: 'An endless loop',
    language: 'python',
    code: `i = 0
while True:
    i += 1
`,
  },
  {
    id: 'js-bubble',
    title: 'Bubble sort',
    language: 'javascript',
    code: `function bubbleSort(nums) {
  for (let i = 0; i < nums.length; i++) {
    let swapped = false;
    for (let j = 0; j < nums.length - 1 - i; j++) {
      if (nums[j] > nums[j + 1]) {
        [nums[j], nums[j + 1]] = [nums[j + 1], nums[j]];
        swapped = true;
      }
    }
    if (!swapped) break;
  }
  return nums;
}

const nums = [64, 25, 12, 22, 11, 90, 3, 47];
bubbleSort(nums);
console.log(nums);
`,
    bench: { entry: 'bubbleSort', generator: 'random_ints' },
  },
  {
    id: 'js-refs',
    title: 'Objects, Maps and Sets',
    language: 'javascript',
    code: `const point = { x: 1, y: 2 };
const same = point;          // one object, two names
same.x = 10;
const byName = new Map([["ada", point]]);
const tags = new Set(["a", "b"]);
const list = [point, byName, tags];
const self = { name: "loop" };
self.me = self;              // a cycle
console.log(point.x, list.length);
`,
  },
  {
    id: 'cpp-bubble',
    title: 'Bubble sort (viz API)',
    language: 'cpp',
    code: `#include <iostream>
#include <utility>
#include <vector>
#include <tracecast.hpp>

void bubble_sort(std::vector<int>& v) {
  auto a = viz::array("v", v);
  for (std::size_t end = v.size(); end > 1; --end) {
    bool swapped = false;
    for (std::size_t i = 0; i + 1 < end; ++i) {
      a.select(i, i + 1);
      if (v[i] > v[i + 1]) {
        std::swap(v[i], v[i + 1]);
        a.patch(i, v[i]);
        a.patch(i + 1, v[i + 1]);
        swapped = true;
      }
      a.deselect(i, i + 1);
    }
    viz::step("pass", v);
    if (!swapped) break;
  }
}

int main() {
  std::vector<int> v{5, 1, 4, 2, 8};
  viz::note("bubble sort");
  bubble_sort(v);
  for (int x : v) std::cout << x << ' ';
  std::cout << '\\n';
}
`,
    bench: { entry: 'bubble_sort', generator: 'random_ints' },
  },
];

export const starterFor = (language: Language): Example => examples.find((e) => e.language === language) as Example;
