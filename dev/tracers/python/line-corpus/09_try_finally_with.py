class Resource:
    def __init__(self, name):
        self.name = name
        self.log = []

    def __enter__(self):
        self.log.append('enter')
        return self

    def __exit__(self, et, ev, tb):
        self.log.append('exit')
        return et is KeyError

def work(r, fail):
    with r as res:
        res.log.append('body')
        if fail:
            raise KeyError('k')
    return res.log

def cleanup(n):
    try:
        if n > 1:
            return 'early'
        x = 1 / n
    except ZeroDivisionError:
        x = None
    finally:
        n += 1
    return x

r = Resource('a')
work(r, False)
work(r, True)
print(cleanup(0), cleanup(1), cleanup(5))
with open('/dev/null') as fh, Resource('b') as rb:
    rb.log.append(fh.name)
