# del of variables and of list items; a name deleted and defined again.
a = 1
b = [10, 20, 30, 40, 50]
c = "temp"
del c
del b[1]
del b[-1]
del a
a = "again"


def local_del():
    x = [1, 2, 3]
    y = x
    del x
    y.append(4)
    return y


result = local_del()
print(a, b, result)
