# Slicing: copies, steps, negative indices, slice assignment and deletion.
xs = list(range(10))
head = xs[:3]
tail = xs[-3:]
evens = xs[::2]
backwards = xs[::-1]
xs[2:5] = ["a", "b"]
del xs[::3]
text = "hello world"
word = text[6:]
print(head, tail, evens, backwards, xs, word, text[::-1])
