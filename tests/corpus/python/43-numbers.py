# Numbers at the edges: big ints beyond 2**53, infinities, NaN, negative zero, float rounding.
big = 2 ** 100
edge = 2 ** 53 - 1
over = 2 ** 53 + 1
neg_big = -(3 ** 50)
inf = float("inf")
minus_inf = -inf
nan = float("nan")
neg_zero = -0.0
tenth = 0.1 + 0.2
huge = 1e308 * 10
values = [big, edge, over, inf, nan, neg_zero, tenth]
print(big, over, neg_big, nan == nan, huge, values)
