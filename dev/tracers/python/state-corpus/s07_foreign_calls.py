import heapq
from collections import deque, defaultdict, Counter

def key(v):
    return -v

nums = [5, 1, 4, 2, 3]
by_key = sorted(nums, key=key)
nums.sort(key=key)
mapped = list(map(lambda v: v * 2, nums))
kept = list(filter(lambda v: v % 2, nums))
h = []
for v in [7, 3, 9, 1]:
    heapq.heappush(h, v)
smallest = heapq.heappop(h)
q = deque([1, 2])
q.append(3)
q.appendleft(0)
q.popleft()
groups = defaultdict(list)
for w in ['apple', 'avocado', 'banana']:
    groups[w[0]].append(w)
missing = groups['z']
counts = Counter('mississippi')
counts['s'] += 10
text = ' '.join(str(n) for n in nums)
parts = text.split()
nums.extend(range(3))
nums.remove(0)
idx = nums.index(4)
ba = bytearray(b'abc')
ba.append(100)
