/**
 * Bench mode harnesses (tracer-runtimes/{python/bench.py, javascript/bench.mjs}) run on the host, without Docker:
 * Node for JavaScript, the host's python3 for Python (on Python < 3.12 that exercises the settrace/setprofile
 * fallback; the sandbox's 3.13 uses sys.monitoring). Frames are read from the child's stdout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PY_DIR = ROOT + 'tracer-runtimes/python';
const JS_DIR = ROOT + 'tracer-runtimes/javascript';

type Frame = { t: string; [k: string]: any };

function decode(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const n = buf.readUInt32BE(off);
    out.push(JSON.parse(buf.subarray(off + 4, off + 4 + n).toString('utf8')));
    off += 4 + n;
  }
  assert.equal(off, buf.length, 'no trailing bytes after the last frame');
  return out;
}

const PY_DRIVER = `
import json, os, struct, sys
sys.path.insert(0, ${JSON.stringify(PY_DIR)})
import bench
class Channel:
    def __init__(self):
        self.fd = os.dup(1)
        os.dup2(2, 1)
    def send(self, text):
        data = text.encode("utf-8", "replace")
        buf = memoryview(struct.pack(">I", len(data)) + data)
        while buf:
            buf = buf[os.write(self.fd, buf):]
bench.main(json.loads(sys.stdin.read()), Channel())
`;

const JS_DRIVER = `
import { openChannel, readJobLine } from ${JSON.stringify(JS_DIR + '/channel.mjs')};
import { runBench } from ${JSON.stringify(JS_DIR + '/bench.mjs')};
runBench(JSON.parse(readJobLine()), openChannel());
`;

/** No __pycache__ next to the runtime sources. */
const PY_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const hasPython = spawnSync('python3', ['-c', 'import sys; print(sys.version_info >= (3, 9))'], { encoding: 'utf8' }).stdout?.trim() === 'True';

type Lang = 'python' | 'javascript';

function run(lang: Lang, job: object): { frames: Frame[]; ms: number } {
  const t0 = Date.now();
  const r = lang === 'python'
    ? spawnSync('python3', ['-c', PY_DRIVER], { env: PY_ENV, input: JSON.stringify(job) + '\n', maxBuffer: 64 << 20, timeout: 60000 })
    : spawnSync(process.execPath, ['--input-type=module', '-e', JS_DRIVER], { input: JSON.stringify(job) + '\n', maxBuffer: 64 << 20, timeout: 60000 });
  assert.equal(r.status, 0, `harness exited with ${r.status}: ${r.stderr?.toString()}`);
  const frames = decode(r.stdout);
  assert.equal(frames.at(-1)?.t, 'end', 'the last frame is end');
  return { frames, ms: Date.now() - t0 };
}

const points = (fs: Frame[]) => fs.filter((f) => f.t === 'bench.point');
const end = (fs: Frame[]) => fs.at(-1) as Frame;

const SRC = {
  python: {
    twoSum: 'def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n    return None\n',
    loop: 'def f(a):\n    while True:\n        pass\n',
    quad: 'def f(a):\n    s = 0\n    for x in a:\n        for y in a:\n            s += x * y\n    return s\n',
    raises: 'def f(a):\n    x = 1\n    return a[len(a)]\n',
    arity: 'def f(a, b):\n    return 1\n',
    gen: 'def gen(n, rng):\n    return [[rng.randint(0, 9) for _ in range(n)]]\ndef f(a):\n    print(len(a))\n    return sum(a)\n',
    // gen prints how many calls of the entry so far (module state survives between sizes).
    calls: 'calls = [0]\ndef gen(n, rng):\n    print(calls[0])\n    return [list(range(n))]\ndef first(a):\n    calls[0] += 1\n    return a[0]\ndef push(a):\n    calls[0] += 1\n    a.append(0)\n    return a[0]\n',
  },
  javascript: {
    twoSum: 'function two_sum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    const x = nums[i];\n    if (seen.has(target - x)) return [seen.get(target - x), i];\n    seen.set(x, i);\n  }\n  return null;\n}\n',
    loop: 'function f(a) {\n  while (true) {}\n}\n',
    quad: 'function f(a) {\n  let s = 0;\n  for (const x of a) for (const y of a) s += x * y;\n  return s;\n}\n',
    raises: 'function f(a) {\n  const x = 1;\n  return a[a.length].foo;\n}\n',
    arity: 'function f(a, b) { return 1; }\n',
    gen: 'function gen(n, rng) { const a = []; for (let i = 0; i < n; i++) a.push(rng.int(0, 9)); return [a]; }\nfunction f(a) { console.log(a.length); return a.reduce((x, y) => x + y, 0); }\n',
    calls: 'let calls = 0;\nfunction gen(n, rng) { console.log(calls); return [Array.from({ length: n }, (_, i) => i)]; }\nfunction first(a) { calls++; return a[0]; }\nfunction push(a) { calls++; a.push(0); return a[0]; }\n',
  },
};
/** ops of the two_sum sources above: the pair is at the last two positions, so every element is visited. */
const TWO_SUM_OPS: Record<Lang, (n: number) => number> = { python: (n) => 3 * n + 1, javascript: (n) => 4 * n + 2 };

for (const lang of ['python', 'javascript'] as Lang[]) {
  describe(`bench harness: ${lang}`, { skip: lang === 'python' && !hasPython ? 'no python3 on the host' : false }, () => {
    const S = SRC[lang];
    const sizes = [100, 500, 1000, 2500, 5000];

    it('measures two_sum at every size, with deterministic operation counts', () => {
      const job = { mode: 'bench', code: S.twoSum, entry: 'two_sum', generator: { kind: 'builtin', name: 'two_sum', seed: 1 }, sizes, repeats: 5, budgetMs: 8000 };
      const a = run(lang, job);
      const b = run(lang, job);
      assert.deepEqual(end(a.frames).status, 'ok');
      const pa = points(a.frames);
      assert.deepEqual(pa.map((p) => p.n), sizes);
      for (const p of pa) {
        assert.equal(p.times.length, 5);
        assert.ok(p.times.every((t: number) => t > 0 && t < 1));
        assert.equal(p.ops, TWO_SUM_OPS[lang](p.n), `ops at n=${p.n}`);
        assert.ok(p.builtinShare >= 0 && p.builtinShare <= 1);
        assert.ok(Number.isInteger(p.peakKb) && p.peakKb > 0);
      }
      assert.deepEqual(points(b.frames).map((p) => p.ops), pa.map((p) => p.ops));
    });

    it('interrupts a call that runs past the budget and stops', () => {
      const { frames, ms } = run(lang, { mode: 'bench', code: S.loop, entry: 'f', generator: { kind: 'builtin', name: 'random_ints', seed: 1 }, sizes: [10, 20], repeats: 2, budgetMs: 600 });
      // The call never returns: ending at all is the budget's doing.
      assert.ok(ms < 60_000, `took ${ms} ms`);
      assert.deepEqual(frames.filter((f) => f.t !== 'output').map((f) => f.t), ['bench.stop', 'end']);
      assert.deepEqual({ ...frames[0] }, { t: 'bench.stop', reason: 'budget', n: 10 });
      assert.equal(end(frames).status, 'ok');
    });

    it('stops before a size whose estimated cost does not fit in the budget', () => {
      const { frames, ms } = run(lang, { mode: 'bench', code: S.quad, entry: 'f', generator: { kind: 'builtin', name: 'random_ints', seed: 1 }, sizes: [50, 100, 200, 1000000], repeats: 3, budgetMs: 5000 });
      assert.deepEqual(points(frames).map((p) => p.n), [50, 100, 200]);
      const stop = frames.find((f) => f.t === 'bench.stop');
      assert.deepEqual({ ...stop }, { t: 'bench.stop', reason: 'budget', n: 1000000 });
      const ops = points(frames).map((p) => p.ops);
      assert.ok(ops[1] / ops[0] > 3.5 && ops[2] / ops[1] > 3.5, `quadratic counts: ${ops}`);
    });

    it('reports entry errors, and an exception at a size as that size\'s bench.error', () => {
      const base = { mode: 'bench', generator: { kind: 'builtin', name: 'random_ints', seed: 1 }, sizes: [10], repeats: 1, budgetMs: 5000 };
      let e = end(run(lang, { ...base, code: S.twoSum, entry: 'nope' }).frames);
      assert.equal(e.status, 'error');
      assert.equal(e.error.type, 'EntryNotFound');
      e = end(run(lang, { ...base, code: S.arity, entry: 'f' }).frames);
      assert.equal(e.error.type, 'EntryArity');
      // an exception ends only its size: a bench.error, and the run goes on to its end
      const raised = run(lang, { ...base, code: S.raises, entry: 'f' }).frames;
      assert.equal(end(raised).status, 'ok');
      const error = raised.find((f) => f.t === 'bench.error');
      assert.equal(error?.n, 10);
      assert.equal(error?.error.line, 3);
      e = end(run(lang, { ...base, code: S.twoSum, entry: 'two_sum', generator: { kind: 'builtin', name: 'nope', seed: 1 } }).frames);
      assert.equal(e.error.type, 'GeneratorError');
    });

    it('times a sub-50 µs call that leaves its input unchanged in back-to-back batches, one that changes it singly', () => {
      const job = (entry: string) => ({ mode: 'bench', code: S.calls, entry, generator: { kind: 'function', name: 'gen', seed: 1 }, sizes: [10, 20, 30], repeats: 3, budgetMs: 5000 });
      const callsPerSize = (frames: Frame[]) => {
        const seen = frames.filter((f) => f.t === 'output').map((f) => f.text).join('').trim().split('\n').map(Number);
        return seen.slice(1).map((c, i) => c - seen[i]);
      };
      // Changes its input: 3 single timed calls per size, exactly, + in Python the counting pass (JavaScript's runs a
      // separately instrumented copy of the program, with its own `calls`).
      const counted = lang === 'python' ? 1 : 0;
      const pushed = run(lang, job('push')).frames;
      assert.equal(end(pushed).status, 'ok');
      assert.deepEqual(callsPerSize(pushed), [3 + counted, 3 + counted]);
      // Leaves it unchanged: a discarded first call, 3 batches of k ≥ 4 calls (k = 200 µs / the first call, which takes
      // well under 50 µs unless preempted at that very moment).
      const first = run(lang, job('first')).frames;
      assert.equal(end(first).status, 'ok');
      const batched = callsPerSize(first);
      assert.ok(batched.some((c) => c >= 1 + 3 * 4 + counted), `calls per size ${batched}`);
      for (const p of points(first)) assert.equal(p.times.length, 3);
    });

    it("runs the learner's own generator, with output frames at step -1", () => {
      const { frames } = run(lang, { mode: 'bench', code: S.gen, entry: 'f', generator: { kind: 'function', name: 'gen', seed: 3 }, sizes: [5, 7], repeats: 2, budgetMs: 5000 });
      assert.equal(end(frames).status, 'ok');
      assert.deepEqual(points(frames).map((p) => p.n), [5, 7]);
      const outs = frames.filter((f) => f.t === 'output');
      assert.ok(outs.length > 0 && outs.every((f) => f.step === -1 && f.stream === 'stdout'));
      assert.equal(outs.map((f) => f.text).join(''), '5\n5\n5\n7\n7\n7\n');   // 2 timed calls + the counting pass per size
    });
  });
}

// ---- generators ------------------------------------------------------------------------------------------------

type GenOut = Record<string, unknown[]>;

function pyGenerate(n: number, seed: number): GenOut {
  const src = `
import json, random, sys
sys.path.insert(0, ${JSON.stringify(PY_DIR)})
import generators as g
print(json.dumps({k: f(${n}, random.Random(g.size_seed(${seed}, ${n}))) for k, f in g.GENERATORS.items()}))
`;
  const r = spawnSync('python3', ['-c', src], { env: PY_ENV, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function jsGenerate(n: number, seed: number): GenOut {
  const src = `
import { GENERATORS, makeRng, sizeSeed } from ${JSON.stringify(JS_DIR + '/generators.mjs')};
const out = {};
for (const k of Object.keys(GENERATORS)) out[k] = GENERATORS[k](${n}, makeRng(sizeSeed(${seed}, ${n})));
console.log(JSON.stringify(out));
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function checkGenerated(out: GenOut, n: number): void {
  const ints = out.random_ints[0] as number[];
  assert.equal(ints.length, n);
  assert.ok(ints.every((x) => Number.isInteger(x) && x >= -10 * n && x <= 10 * n));
  const sorted = out.sorted_ints[0] as number[];
  assert.ok(sorted.every((x, i) => i === 0 || sorted[i - 1] <= x));
  const rev = out.reversed_ints[0] as number[];
  assert.ok(rev.every((x, i) => i === 0 || rev[i - 1] >= x));
  const s = out.string[0] as string;
  assert.match(s, new RegExp(`^[a-z]{${n}}$`));
  const [st, target] = out.sorted_target as [number[], number];
  assert.equal(new Set(st).size, n);
  assert.ok(st.every((x, i) => i === 0 || st[i - 1] < x));
  assert.ok(Number.isInteger(target));
  const [ts, t] = out.two_sum as [number[], number];
  assert.equal(ts.length, n);
  const pairs: [number, number][] = [];
  const at = new Map<number, number[]>();
  ts.forEach((x, i) => at.set(x, [...(at.get(x) ?? []), i]));
  for (let j = 0; j < n; j++) for (const i of at.get(t - ts[j]) ?? []) if (i < j) pairs.push([i, j]);
  assert.deepEqual(pairs, [[n - 2, n - 1]], 'exactly one pair, at the last two positions');
  const [adj, start] = out.graph as [number[][], number];
  assert.equal(start, 0);
  assert.equal(adj.length, n);
  let edges = 0;
  for (let v = 0; v < n; v++) for (const w of adj[v]) { assert.ok(adj[w].includes(v), 'undirected'); assert.notEqual(w, v); edges++; }
  assert.equal(edges / 2, 2 * n - 1, '~2n edges: a spanning tree plus n extra');
  const seen = new Set([0]);
  const stack = [0];
  while (stack.length) for (const w of adj[stack.pop() as number]) if (!seen.has(w)) { seen.add(w); stack.push(w); }
  assert.equal(seen.size, n, 'connected');
}

describe('bench generators', () => {
  it('javascript: shapes, and the same output for the same seed', () => {
    const a = jsGenerate(300, 5);
    checkGenerated(a, 300);
    assert.deepEqual(jsGenerate(300, 5), a);
    assert.notDeepEqual(jsGenerate(300, 6), a);
  });
  it('python: shapes, and the same output for the same seed', { skip: hasPython ? false : 'no python3 on the host' }, () => {
    const a = pyGenerate(300, 5);
    checkGenerated(a, 300);
    assert.deepEqual(pyGenerate(300, 5), a);
    assert.notDeepEqual(pyGenerate(300, 6), a);
  });
});

// ---- the JavaScript counting instrumentation ------------------------------------------------------------------

describe('bench: JavaScript counting copy', () => {
  it('keeps the program meaning and counts statements and loop iterations', () => {
    const src = `
import vm from 'node:vm';
import { instrumentCount } from ${JSON.stringify(JS_DIR + '/bench.mjs')};
const code = ${JSON.stringify(`'use strict';
function f(a) {
  let s = 0
  outer: for (let i = 0; i < a.length; i++) for (const y of a) { if (y > 3) continue outer; s += y }
  while (s > 100) s--
  do s++; while (s < 5)
  if (s) s = 1; else if (s < 0) s = 2; else { s = 3 }
  switch (s) { case 1: s++; break; default: s-- }
  const g = x => y => x + y, h = () => ({ a: 1 });
  class C { static { s++ } m() { return 1 } x = () => 2 }
  for (;;) break
  try { s++ } catch { s-- } finally { s += 0 }
  return [s + g(1)(2) + h().a + new C().m() + new C().x(), (function () { return this; })() === undefined]
}
function loop(n) { let i = 0; while (i < n) i++; return i }`)};
const inst = instrumentCount(code);
const wrap = (c) => '(function(){let $__tcN=0;const r=(function(){' + c + '\\n;return [f, loop];})();return [r[0], r[1], () => $__tcN];})()';
const [f1, l1, n1] = vm.runInNewContext(wrap(code));
const [f2, l2, n2] = vm.runInNewContext(wrap(inst));
const before = n2();
console.log(JSON.stringify({ plain: f1([1, 2, 3, 4, 5]), inst: f2([1, 2, 3, 4, 5]), lines: inst.split('\\n').length === code.split('\\n').length,
  l: [l1(10), l2(10)], loopOps: (() => { const b = n2(); l2(1000); return n2() - b; })() }));
`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(o.inst, o.plain);
    assert.equal(o.plain[1], true, "'use strict' stays a directive");
    assert.equal(o.lines, true, 'the same line count');
    assert.deepEqual(o.l, [10, 10]);
    assert.equal(o.loopOps, 1 + 1 + 1000 * 2 + 1, 'let, while, 1000 × (iteration + body), return');
  });
});

describe('bench harness: the JavaScript count charges built-ins by the size they are handed', () => {
  const sizes = [100, 1000, 10000];
  const bench = (code: string, entry: string) =>
    points(run('javascript', { mode: 'bench', code, entry, generator: { kind: 'builtin', name: 'random_ints', seed: 1 }, sizes, repeats: 1, budgetMs: 30000 }).frames);

  it('includes scans the whole array when it finds nothing; sort is n·bit_length(n); the names go out as charged', () => {
    const scans = bench('function f(a) { return a.includes(0.5); }', 'f');
    const base = scans[0].ops - sizes[0];
    for (const p of scans) {
      assert.equal(p.ops, base + p.n, `ops at n=${p.n}: one statement plus n items looked at`);
      assert.deepEqual(p.charged, ['Array.includes']);
      assert.equal(p.builtinShare, 0, 'a charged call is no unseen work');
    }
    const sorts = bench('function g(a) { return a.sort((x, y) => x - y)[0]; }', 'g');
    for (const p of sorts) assert.ok(p.ops >= p.n * (32 - Math.clz32(p.n)), `ops at n=${p.n}: ${p.ops}`);
    assert.deepEqual(sorts[0].charged, ['Array.sort']);
  });
});
