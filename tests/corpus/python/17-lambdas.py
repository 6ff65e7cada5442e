# Lambdas stored in variables, in a dict, and passed to map/filter.
double = lambda x: x * 2
add = lambda a, b: a + b
ops = {"inc": lambda x: x + 1, "neg": lambda x: -x}
vals = [3, 1, 2]
doubled = list(map(double, vals))
big = list(filter(lambda v: v > 1, vals))
applied = [ops[name](10) for name in ("inc", "neg")]
print(doubled, big, applied, add(2, 3))
