# Containers that contain themselves, and two objects pointing at each other.
a = [1, 2]
a.append(a)
d = {"name": "root"}
d["self"] = d


class Person:
    def __init__(self, name):
        self.name = name
        self.friend = None


x = Person("x")
y = Person("y")
x.friend = y
y.friend = x
print(a, d, x.friend.friend is x)
