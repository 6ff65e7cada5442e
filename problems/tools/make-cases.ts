/**
 * Generates the large test cases of the problem catalog deterministically and stores them in the
 * problem files (problems/<slug>.json), replacing earlier versions of the same case ids.
 *
 *   node --import tsx problems/tools/make-cases.ts           # (re)generate and rewrite the files
 *   node --import tsx problems/tools/make-cases.ts --check   # exit 1 when a file is out of date
 *
 * Every file is rewritten in the catalog's canonical layout (server/problems/catalog.ts), so the
 * big arrays stay on one line. Each generator has its own seeded PRNG: changing one case never
 * changes another. Expected values come from a construction that fixes them (two_sum) or from a
 * straightforward reference implementation here; the problem tests then check every case against
 * the reference solutions in problems/solutions/ through the grade harness.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportProblems, importProblems } from '../../server/problems/catalog.ts';
import { parseProblem, problemVersion, toProblemFile, type Json, type Problem, type TestCase } from '../../server/problems/problem.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(HERE, '..');

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** integer in [lo, hi] */
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const shuffle = <T>(a_: T[]) => {
    for (let i = a_.length - 1; i > 0; i--) {
      const j = int(0, i);
      [a_[i], a_[j]] = [a_[j], a_[i]];
    }
    return a_;
  };
  return { next, int, shuffle };
}
type Rng = ReturnType<typeof rng>;

interface Generated {
  slug: string;
  id: string;
  note: string;
  timeLimitMs?: number;
  make(r: Rng): { args: Json[]; expected: Json };
}

// ---------------------------------------------------------------- reference implementations

function twoSumRef(nums: number[], target: number): number[] {
  const seen = new Map<number, number>();
  for (let i = 0; i < nums.length; i++) {
    const j = seen.get(target - nums[i]);
    if (j !== undefined) return [j, i];
    if (!seen.has(nums[i])) seen.set(nums[i], i);
  }
  return [];
}

function kadane(nums: number[]): number {
  let best = nums[0], here = nums[0];
  for (let i = 1; i < nums.length; i++) {
    here = Math.max(nums[i], here + nums[i]);
    best = Math.max(best, here);
  }
  return best;
}

function mergeRef(iv: number[][]): number[][] {
  const s = iv.map((x) => [x[0], x[1]]).sort((a, b) => a[0] - b[0]);
  const out: number[][] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function validParens(s: string): boolean {
  const pair: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const st: string[] = [];
  for (const ch of s) {
    if (ch in pair) { if (st.pop() !== pair[ch]) return false; } else st.push(ch);
  }
  return st.length === 0;
}

function randomWord(r: Rng, n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[r.int(0, alphabet.length - 1)];
  return s;
}

/** A random balanced bracket string of exactly n characters (n even). */
function balanced(r: Rng, n: number): string {
  const open = '([{', close: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const st: string[] = [];
  let s = '';
  for (let left = n; left > 0; left--) {
    // must close when the remaining room equals the stack; may open while there is room for its closer
    const mustClose = st.length === left;
    if (!mustClose && (st.length === 0 || r.next() < 0.5)) {
      const o = open[r.int(0, 2)];
      st.push(o);
      s += o;
    } else {
      s += close[st.pop()!];
    }
  }
  return s;
}

// ---------------------------------------------------------------- generated cases

const GENERATED: Generated[] = [
  {
    slug: 'two_sum',
    id: 'perf_100k',
    note: '100,000 numbers, the only pair near the end: O(n^2) (~5e9 steps) times out',
    // an O(n) solution needs ~20 ms on an idle machine; the margin is for loaded graders
    timeLimitMs: 4000,
    make(r) {
      // Every number is a multiple of 3 except the planted pair (both ≡ 1 mod 3, different values);
      // the target is ≡ 2 mod 3, so no other pair can reach it: the answer is unique.
      const n = 100_000;
      const nums = Array.from({ length: n }, () => 3 * r.int(-333_333, 333_333));
      const i = r.int(90_000, 95_000), j = r.int(99_000, n - 1);
      const a = 3 * r.int(-333_333, 333_333) + 1;
      let b = 3 * r.int(-333_333, 333_333) + 1;
      if (b === a) b += 3;
      nums[i] = a;
      nums[j] = b;
      const target = a + b;
      const got = twoSumRef(nums, target);
      if (got[0] !== i || got[1] !== j) throw new Error('two_sum perf: construction is not unique');
      return { args: [nums, target], expected: [i, j] };
    },
  },
  {
    slug: 'binary_search',
    id: 'large_found',
    note: '20,000 sorted numbers, target present',
    make(r) {
      const set = new Set<number>();
      while (set.size < 20_000) set.add(r.int(-1_000_000, 1_000_000));
      const nums = [...set].sort((x, y) => x - y);
      const k = r.int(0, nums.length - 1);
      return { args: [nums, nums[k]], expected: k };
    },
  },
  {
    slug: 'binary_search',
    id: 'large_missing',
    note: '20,000 even numbers, odd target: absent',
    make(r) {
      const set = new Set<number>();
      while (set.size < 20_000) set.add(2 * r.int(-500_000, 500_000));
      const nums = [...set].sort((x, y) => x - y);
      return { args: [nums, 2 * r.int(-400_000, 400_000) + 1], expected: -1 };
    },
  },
  {
    slug: 'reverse_string',
    id: 'long_100k',
    note: '100,000 characters: prepending one character at a time is quadratic',
    make(r) {
      const s = randomWord(r, 100_000, 'abcdefghijklmnopqrstuvwxyz ,.!');
      return { args: [s], expected: [...s].reverse().join('') };
    },
  },
  {
    slug: 'valid_parentheses',
    id: 'long_valid',
    note: '100,000 balanced brackets',
    make(r) {
      const s = balanced(r, 100_000);
      if (!validParens(s)) throw new Error('balanced() is broken');
      return { args: [s], expected: true };
    },
  },
  {
    slug: 'valid_parentheses',
    id: 'long_invalid',
    note: '100,000 brackets with one closer swapped near the end',
    make(r) {
      const s = balanced(r, 100_000);
      let k = r.int(80_000, 99_999);
      while (!')]}'.includes(s[k])) k++;
      const swap: Record<string, string> = { ')': ']', ']': '}', '}': ')' };
      const t = s.slice(0, k) + swap[s[k]] + s.slice(k + 1);
      return { args: [t], expected: validParens(t) };
    },
  },
  {
    slug: 'max_subarray',
    id: 'perf_50k',
    note: '50,000 numbers: O(n^2) times out',
    make(r) {
      const nums = Array.from({ length: 50_000 }, () => r.int(-10_000, 10_000));
      return { args: [nums], expected: kadane(nums) };
    },
  },
  {
    slug: 'max_subarray',
    id: 'large_all_negative',
    note: '10,000 negative numbers',
    make(r) {
      const nums = Array.from({ length: 10_000 }, () => r.int(-10_000, -1));
      return { args: [nums], expected: kadane(nums) };
    },
  },
  {
    slug: 'merge_intervals',
    id: 'large_10k',
    note: '10,000 random intervals',
    make(r) {
      const iv = Array.from({ length: 10_000 }, () => {
        const a = r.int(-1_000_000, 1_000_000);
        return [a, Math.min(1_000_000, a + r.int(0, 300))];
      });
      return { args: [iv], expected: mergeRef(iv) };
    },
  },
  {
    slug: 'is_anagram',
    id: 'long_true',
    note: '50,000 characters, shuffled',
    make(r) {
      const s = randomWord(r, 50_000, 'abcdefghijklmnopqrstuvwxyz');
      return { args: [s, r.shuffle([...s]).join('')], expected: true };
    },
  },
  {
    slug: 'is_anagram',
    id: 'long_false',
    note: '50,000 characters, shuffled, one letter changed',
    make(r) {
      const s = randomWord(r, 50_000, 'abcdefghijklmnopqrstuvwxy');
      const t = r.shuffle([...s]);
      t[r.int(0, t.length - 1)] = 'z';
      return { args: [s, t.join('')], expected: false };
    },
  },
  {
    slug: 'rotate_array',
    id: 'perf_k_huge',
    note: '20,000 numbers, k = 1,000,000,007: rotating one step at a time times out',
    make(r) {
      const nums = Array.from({ length: 20_000 }, () => r.int(-100_000, 100_000));
      const k = 1_000_000_007;
      const s = k % nums.length;
      return { args: [nums, k], expected: [...nums.slice(nums.length - s), ...nums.slice(0, nums.length - s)] };
    },
  },
];

/** A stable seed per case (FNV-1a of slug/id), so adding a generator does not change the others. */
function seedOf(slug: string, id: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${slug}/${id}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function applyGenerated(problems: Problem[]): Problem[] {
  const bySlug = new Map(problems.map((p) => [p.slug, p]));
  const cases = new Map<string, TestCase[]>();
  for (const g of GENERATED) {
    if (!bySlug.has(g.slug)) throw new Error(`no problem ${g.slug}`);
    const { args, expected } = g.make(rng(seedOf(g.slug, g.id)));
    const c: TestCase = { id: g.id, note: g.note, args, expected, hidden: true };
    if (g.timeLimitMs !== undefined) c.timeLimitMs = g.timeLimitMs;
    const list = cases.get(g.slug) ?? [];
    list.push(c);
    cases.set(g.slug, list);
  }
  return problems.map((p) => {
    const gen = cases.get(p.slug);
    if (!gen) return p;
    const ids = new Set(gen.map((c) => c.id));
    // hand-written cases keep their order; generated ones go last, in generator order
    return parseProblem({ ...toProblemFile(p), cases: [...p.cases.filter((c) => !ids.has(c.id)), ...gen] });
  });
}

async function main() {
  const check = process.argv.includes('--check');
  const before = await importProblems(DIR);
  const after = applyGenerated(before);
  const stale = after.filter((p, i) => problemVersion(p) !== before[i].version).map((p) => p.slug);
  if (check) {
    if (stale.length) {
      console.error(`out of date: ${stale.join(', ')} (run: node --import tsx problems/tools/make-cases.ts)`);
      process.exit(1);
    }
    console.log('problem files are up to date');
    return;
  }
  const files = await exportProblems(after, DIR);
  console.log(`wrote ${files.length} problem files${stale.length ? `; regenerated cases in ${stale.join(', ')}` : ''}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
