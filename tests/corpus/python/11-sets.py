# Sets and frozensets: add, discard, union, intersection, membership.
evens = {0, 2, 4, 6, 8}
primes = {2, 3, 5, 7}
both = evens & primes
either = evens | primes
evens.add(10)
evens.discard(0)
primes.update({11, 13})
frozen = frozenset([1, 2, 3])
seen = set()
for ch in "mississippi":
    if ch not in seen:
        seen.add(ch)
print(sorted(both), sorted(either), sorted(evens), sorted(primes), sorted(frozen), sorted(seen))
