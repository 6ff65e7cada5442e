# Local variables first assigned in an order different from the order the compiler lists them.
def first_assigned_later(flag):
    if flag:
        a = "early"
    b = 2
    a = 3
    return a + b


def unbound_then_bound():
    for i in range(2):
        if i == 1:
            late = i
        early = i
    return early + late


x = first_assigned_later(False)
y = first_assigned_later(True)
z = unbound_then_bound()
print(x, y, z)
