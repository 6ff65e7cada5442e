# Sorting with key= and reverse=, stable sort on tuples, sorted() vs list.sort().
people = [("bob", 25), ("alice", 30), ("carol", 25), ("dave", 20)]
by_age = sorted(people, key=lambda p: p[1])
by_name_desc = sorted(people, key=lambda p: p[0], reverse=True)
words = ["banana", "Apple", "cherry", "apple"]
words.sort(key=str.lower)


def score(p):
    return (-p[1], p[0])


ranked = sorted(people, key=score)
print(by_age, by_name_desc, words, ranked)
