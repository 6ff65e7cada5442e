// Set and Map: unique words and word counts
const text = 'the quick brown fox jumps over the lazy dog the end';
const words = text.split(' ');
const unique = new Set();
const counts = new Map();
for (const w of words) {
  unique.add(w);
  counts.set(w, (counts.get(w) || 0) + 1);
}
unique.delete('end');
counts.delete('end');
console.log(unique.size, counts.get('the'));
