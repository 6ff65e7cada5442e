def risky(x):
    if x < 0:
        raise ValueError("negative: %d" % x)
    return x * 2

def middle(x):
    y = risky(x)
    return y + 1

results = []
for v in (3, -1, 5):
    try:
        results.append(middle(v))
    except ValueError as e:
        results.append(str(e))
    finally:
        results.append('f')
try:
    d = {}
    d['missing']
except KeyError:
    pass
try:
    int('abc')
except (TypeError, ValueError) as e:
    msg = str(e)
print(results)
middle(-7)
