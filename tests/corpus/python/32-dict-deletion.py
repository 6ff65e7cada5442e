# Dict deletion: del, pop, popitem, clear; re-inserting a deleted key moves it last.
d = {"a": 1, "b": 2, "c": 3, "d": 4}
del d["b"]
popped = d.pop("c")
d["b"] = 22
last = d.popitem()
d.update({"e": 5, "f": 6})
copy = dict(d)
d.clear()
print(d, copy, popped, last)
