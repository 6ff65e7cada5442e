def is_anagram(s, t):
    if len(s) != len(t):
        return False
    counts = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    for ch in t:
        n = counts.get(ch, 0)
        if n == 0:
            return False
        counts[ch] = n - 1
    return True
