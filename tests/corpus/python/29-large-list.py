# A list of 300 ints, longer than the default view of 100 items, mutated at both ends.
big = list(range(300))
big[0] = -1
big[250] = -250
big.append(300)
big.pop(0)
total = sum(big)
big.insert(0, "front")
del big[100:]
print(len(big), total)
