# Catastrophic regex backtracking: exponential time inside the regex engine.
import re

print(re.match(r"^(a+)+$", "a" * 64 + "b"))
