# A dataclass-like record class written by hand: __init__, __repr__, __eq__.
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)


p = Point(1, 2)
q = p.moved(2, 3)
r = Point(3, 5)
same_value = q == r
same_object = q is r
points = [p, q, r]
print(points, same_value, same_object)
