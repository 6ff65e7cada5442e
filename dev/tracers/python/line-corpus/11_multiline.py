def f(a,
      b,
      c=3):
    result = (a +
              b *
              c)
    return result

x = f(1,
      2)
y = [
    1,
    2,
    x,
]
z = {
    'a': x,
    'b': [y,
          y],
}
if (x > 3 and
        y[0] == 1):
    w = ("long"
         "string")
s = """multi
line"""
t = x if x > 100 else \
    -x
total = sum([
    f(i, i)
    for i in range(3)
])
print(x, y, z, w, s, t, total)
