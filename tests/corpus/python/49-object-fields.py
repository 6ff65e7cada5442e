# Instance fields added, changed and deleted at run time (setattr, delattr, del).
class Bag:
    pass


bag = Bag()
bag.a = 1
bag.b = [1, 2]
setattr(bag, "c", "three")
bag.a += 1
del bag.b
delattr(bag, "c")
bag.b = "back"
for i in range(5):
    setattr(bag, "f%d" % i, i * i)
names = sorted(vars(bag))
print(names)
