# enumerate and zip: parallel iteration, building a dict from two lists, unzipping.
names = ["ann", "ben", "cy"]
scores = [90, 75, 82]
table = {}
for rank, (name, score) in enumerate(zip(names, scores), start=1):
    table[name] = (rank, score)
pairs = list(zip(names, scores))
unzipped_names, unzipped_scores = zip(*pairs)
best = max(zip(scores, names))
print(table, pairs, unzipped_names, best)
