def risky(data, i):
    data.append(i)
    if i % 2:
        raise ValueError('odd %d' % i)
    return i

def caller(data):
    out = []
    for i in range(4):
        try:
            out.append(risky(data, i))
        except ValueError as e:
            out.append(str(e))
            err = e
        finally:
            data.append('f')
    return out

log = []
res = caller(log)
def deep(n, acc):
    acc.append(n)
    if n == 0:
        raise KeyError('bottom')
    return deep(n - 1, acc)
trail = []
try:
    deep(3, trail)
except KeyError as ex:
    caught = repr(ex)
class Boom(Exception):
    def __init__(self, code):
        super().__init__('boom')
        self.code = code
try:
    raise Boom(42)
except Boom as b:
    code = b.code
with open('/dev/null') as fh:
    name = fh.name
x = {}['missing']
