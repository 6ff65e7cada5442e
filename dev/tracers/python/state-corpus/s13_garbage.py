keep = []
for i in range(300):
    tmp = [i, i + 1]
    pair = (tmp, i)
    if i % 50 == 0:
        keep.append(tmp)
    d = {'i': i, 'sq': [i * i]}
total = sum(x[0] for x in keep)
class Obj:
    def __init__(self, v):
        self.v = v
objs = [Obj(i) for i in range(5)]
for o in objs:
    o.v = [o.v]
objs = None
