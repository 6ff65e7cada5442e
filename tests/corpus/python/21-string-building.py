# Building strings: concatenation in a loop, join, f-strings, reversal.
word = "tracecast"
rev = ""
for ch in word:
    rev = ch + rev
parts = []
for i, ch in enumerate(word):
    parts.append(ch.upper() if i % 2 == 0 else ch)
mixed = "".join(parts)
line = f"{word!r} has {len(word)} letters"
csv = ",".join(str(n) for n in range(5))
print(rev, mixed, line, csv)
