function isAnagram(s, t) {
  if (s.length !== t.length) return false;
  const counts = new Map();
  for (const ch of s) counts.set(ch, (counts.get(ch) || 0) + 1);
  for (const ch of t) {
    const n = counts.get(ch) || 0;
    if (n === 0) return false;
    counts.set(ch, n - 1);
  }
  return true;
}
