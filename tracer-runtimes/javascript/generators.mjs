// Built-in input generators for bench mode (../CHANNEL.md, "bench mode").
//
// Each generator is gen(n, rng) -> array of positional arguments, rng = makeRng(seed)
// ({random(), int(lo, hi)} over mulberry32). bench.mjs seeds one rng per size with
// sizeSeed(seed, n), so the input for a size depends only on (name, seed, n): the same
// on every run, and independent of which other sizes the job lists. python/generators.py
// has the same generators over random.Random (same shapes and distributions, different
// numbers).
//
//   random_ints    [array of n ints in [-10n, 10n]]
//   sorted_ints    [the same, sorted ascending]
//   reversed_ints  [the same, sorted descending]
//   string         [random lowercase string of length n]
//   sorted_target  [sorted array of n distinct ints in [-10n, 10n], target]; the target is
//                  absent (the worst case for a search), and inside the range when possible
//   two_sum        [array of n ints (n >= 2), target]: exactly one pair i < j has
//                  a[i] + a[j] === target, and it is the last two positions (the worst case
//                  for searches that stop at the pair). Every other value is 1 mod 4, the
//                  pair's values and the target are 0 mod 4, so no other pair can match.
//   graph          [adj, 0]: a connected undirected graph of n nodes as an array of arrays,
//                  adj[v] = neighbours of v (each edge listed at both ends): a random
//                  spanning tree (node v joins a random earlier node) plus n extra distinct
//                  random edges (fewer when the graph would be complete): ~2n edges.
//                  Start node 0.
//
// Arrays are built with push (packed elements, as a learner's own code would make them).

/** A deterministic 32-bit PRNG (mulberry32): floats in [0, 1). */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for size n: (seed * 1000003 + n) mod 2^32, as python/generators.py's size_seed. */
export function sizeSeed(seed, n) {
  const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  return (Number((BigInt(s) * 1000003n + BigInt(Math.trunc(n))) & 0xffffffffn)) >>> 0;
}

/** {random(): float in [0, 1), int(lo, hi): integer in [lo, hi], both ends included}. */
export function makeRng(seed) {
  const random = mulberry32(seed);
  return {
    random,
    int(lo, hi) {
      lo = Math.ceil(Number(lo));
      hi = Math.floor(Number(hi));
      if (!(hi >= lo)) return lo;
      return lo + Math.floor(random() * (hi - lo + 1));
    },
  };
}

function ints(n, rng) {
  const a = [];
  for (let i = 0; i < n; i++) a.push(rng.int(-10 * n, 10 * n));
  return a;
}

const GENS = {
  random_ints(n, rng) {
    return [ints(n, rng)];
  },
  sorted_ints(n, rng) {
    return [ints(n, rng).sort((x, y) => x - y)];
  },
  reversed_ints(n, rng) {
    return [ints(n, rng).sort((x, y) => y - x)];
  },
  string(n, rng) {
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(String.fromCharCode(97 + rng.int(0, 25)));
    return [parts.join('')];
  },
  sorted_target(n, rng) {
    const lo = -10 * n, hi = 10 * n;
    const present = new Set();
    while (present.size < n) present.add(rng.int(lo, hi));
    const a = [...present].sort((x, y) => x - y);
    // Always absent (the worst case: a search runs to the end), so the operation count follows the size, not luck.
    let target = hi + 1;
    for (let k = 0; k < 64; k++) {
      const t = rng.int(lo, hi);
      if (!present.has(t)) { target = t; break; }
    }
    return [a, target];
  },
  two_sum(n, rng) {
    n = Math.max(2, n);
    const span = 10 * n;
    // filler values 4m+1 in [-span, span]
    const mLo = -Math.floor((span + 1) / 4);
    const mHi = Math.floor((span - 1) / 4);
    const a = [];
    for (let i = 0; i < n - 2; i++) a.push(4 * rng.int(mLo, mHi) + 1);
    const k = Math.max(1, Math.floor(span / 8));
    const x = 4 * rng.int(-k, k);
    const y = 4 * rng.int(-k, k);
    if (rng.random() < 0.5) { a.push(x); a.push(y); } else { a.push(y); a.push(x); }
    return [a, x + y];
  },
  graph(n, rng) {
    const adj = [];
    for (let v = 0; v < n; v++) adj.push([]);
    const seen = new Set();
    for (let v = 1; v < n; v++) {
      const u = rng.int(0, v - 1);
      adj[u].push(v);
      adj[v].push(u);
      seen.add(u * n + v);
    }
    let extra = Math.min(n, n * (n - 1) / 2 - Math.max(0, n - 1));
    let tries = 20 * extra + 100;
    while (extra > 0 && tries > 0) {
      tries--;
      let u = rng.int(0, n - 1);
      let v = rng.int(0, n - 1);
      if (u === v) continue;
      if (u > v) { const t = u; u = v; v = t; }
      if (seen.has(u * n + v)) continue;
      seen.add(u * n + v);
      adj[u].push(v);
      adj[v].push(u);
      extra--;
    }
    return [adj, 0];
  },
};

export const GENERATORS = Object.freeze(Object.assign(Object.create(null), GENS));
