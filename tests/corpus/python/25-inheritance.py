# Inheritance: overriding, super(), class attributes, isinstance.
class Shape:
    count = 0

    def __init__(self, name):
        self.name = name
        Shape.count += 1

    def area(self):
        return 0

    def describe(self):
        return "%s with area %s" % (self.name, self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, side):
        super().__init__(side, side)
        self.name = "square"


shapes = [Shape("blob"), Rect(2, 3), Square(4)]
descriptions = [s.describe() for s in shapes]
kinds = [isinstance(s, Rect) for s in shapes]
print(descriptions, kinds, Shape.count)
