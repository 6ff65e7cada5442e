nums = [5, 3, 8, 1]
squares = [n * n for n in nums]
evens = {n for n in nums if n % 2 == 0}
index = {n: i for i, n in enumerate(nums)}
fs = [lambda x, k=k: x + k for k in range(3)]
vals = [f(10) for f in fs]
srt = sorted(nums, key=lambda v: -v)
mapped = [(lambda y: y * 2)(n) for n in nums]
nested = [[i * j for j in range(3)] for i in range(3)]
multi = [
    a + b
    for a in range(3)
    if a != 1
    for b in range(2)
]
gen_sum = sum(
    n
    for n in nums
)
print(squares, evens, index, vals, srt, mapped, nested, multi, gen_sum)
