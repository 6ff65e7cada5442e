# Strings longer than the 1000-character view: built, grown, sliced.
chunk = "abcdefghij"
long_text = chunk * 150
longer = long_text + "!" * 500
short = longer[:20]
count = longer.count("a")
lines = [long_text, short]
print(len(long_text), len(longer), short, count, len(lines[0]))
