# A set of 200 ints (more than the 100 shown), changed by add/remove, and a frozenset.
multiples = set(range(0, 600, 3))
multiples.add(1)
multiples.remove(0)
multiples -= {3, 6, 9}
small = frozenset(x for x in multiples if x < 20)
print(len(multiples), sorted(small))
