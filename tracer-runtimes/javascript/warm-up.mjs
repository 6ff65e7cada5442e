// The program tracer.mjs traces twice before it says hello, with the runtime that then serves the job.
//
// A pooled container says `hello` long before its job arrives, and everything up to the job is the same for every
// job: the context is built, and a warm-up program is instrumented, compiled and traced by the runtime the job will
// use, its frames dropped. The job then starts with acorn and the instrumenter compiled (the first instrument() call
// took 15-19 ms, later ones 1.5-3 ms) and with hooks V8 has already optimised: a short run otherwise spends most of
// its time in them before they are (bench/tracer --scaling). The same runtime, reloaded, serves the job: a second
// runtime's closures would start cold. The program has no console output, timers, input, globals or regular
// expressions: nothing of it stays visible to the job.
export const WARM_UP = `function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
class Stack {
  #items = [];
  push(x) { this.#items.push(x); return this; }
  get size() { return this.#items.length; }
}
function bubble(a) {
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j + 1 < a.length - i; j++) {
      if (a[j] > a[j + 1]) [a[j], a[j + 1]] = [a[j + 1], a[j]];
    }
  }
  return a;
}
function insertion(a) {
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) { a[j + 1] = a[j]; j--; }
    a[j + 1] = x;
  }
  return a;
}
const counts = new Map(), words = new Set(), point = { x: 1, y: 2.5, name: 'p' }, s = new Stack();
let total = 0, text = '';
// numbers beyond V8's small integers, in variables and in a list (of doubles, as Math.random() and such make them)
let seed = 12345, mean = 0;
const d = [];
for (let i = 0; i < 30; i++) { seed = (seed * 48271) % 2147483647; mean = (mean + seed) / 2; d.push(seed % 1000); }
bubble(d);
for (let round = 0; round < 2; round++) {
  const a = [], b = [];
  for (let i = 0; i < 50; i++) { a.push((i * 37 + round) % 101); b.push(String.fromCharCode(97 + (i * 7) % 26)); }
  bubble(a);
  insertion(b);
  total += fib(14);
}
for (let i = 0; i < 500; i++) {
  const w = 'w' + (i % 17);
  counts.set(w, (counts.get(w) || 0) + 1);
  words.add(w);
  point.x += i % 3;
  point.y = point.y / 2 + i;
  if (i % 5 === 0) s.push({ i, w });
}
for (let i = 0; i < 3000; i++) { total = (total + i * 7) % 1000003; if (i % 500 === 0) text += i; }
const sq = (x) => x * x, { x, ...rest } = point;
const evens = [...counts.values()].filter((v) => v % 2 === 0).map(sq);
try { JSON.parse('{'); } catch (e) { text = \`\${e.name}: \${sq(x)} \${rest.name} \${evens.length}\`; }
`;
