# Non-ASCII strings: accents, CJK, emoji (astral plane), and one long enough to be cut.
greeting = "héllo wörld"
cjk = "漢字かな"
emoji = "🐍🚀✨"
mixed = greeting + " " + cjk + " " + emoji
long_emoji = "🙂" * 1200
letters = [ch for ch in emoji]
lengths = (len(greeting), len(cjk), len(emoji), len(long_emoji))
upper = greeting.upper()
print(mixed, letters, lengths, upper)
