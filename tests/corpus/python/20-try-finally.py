# try/finally and try/except/else: finally runs on return and on exception.
log = []


def work(x):
    try:
        log.append("start %d" % x)
        if x == 0:
            raise ZeroDivisionError("zero")
        return 10 // x
    finally:
        log.append("cleanup %d" % x)


def run(x):
    try:
        value = work(x)
    except ZeroDivisionError:
        value = None
    else:
        log.append("ok")
    return value


print(run(5), run(0), log)
