/**
 * Grade mode of both runtimes (tracer-runtimes/python/grade.py, javascript/grade.mjs) through the
 * test drivers: result encoding, per-case errors and timeouts (the next case still runs), fresh
 * argument copies, output frames and the output cap, entry lookup errors, definition errors.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gradeJavaScript, gradePython, type GradeJob, type GradeRun } from '../support/grade-run.ts';

type Lang = 'python' | 'javascript';
interface Scenario {
  name: string;
  code: Record<Lang, string>;
  entry: Record<Lang, string> | string;
  cases: GradeJob['cases'];
  maxOutputBytes?: number;
  check(run: GradeRun, lang: Lang): void;
}

const PY_KINDS = `
class Point:
    def __init__(self):
        self.x = 1
    def __repr__(self):
        return "Point(1)"

def kinds(which):
    loop = [1]
    loop.append(loop)
    return {
        "set": {3}, "frozenset": frozenset(), "tuple": (1, (2, 3)), "intmap": {1: "a"},
        "dollar": {"$set": 1}, "nan": float("nan"), "inf": float("inf"), "ninf": -float("inf"),
        "big": 2 ** 64, "bool": True, "none": None, "obj": Point(), "cycle": loop, "str": "é",
        "float": 1.5,
    }[which]
`;
const JS_KINDS = `
class Point { constructor() { this.x = 1; } }
function kinds(which) {
  const loop = [1]; loop.push(loop);
  return {
    set: new Set([3]), frozenset: new Set(), tuple: [1, [2, 3]], intmap: new Map([[1, 'a']]),
    dollar: { $set: 1 }, nan: NaN, inf: Infinity, ninf: -Infinity,
    big: 2n ** 64n, bool: true, none: null, obj: new Point(), cycle: loop, str: 'é',
    float: 1.5, undef: undefined,
  }[which];
}
`;
const KIND_CASES = ['set', 'frozenset', 'tuple', 'intmap', 'dollar', 'nan', 'inf', 'ninf', 'big', 'bool', 'none', 'cycle', 'str', 'float', 'obj'];

const SCENARIOS: Scenario[] = [
  {
    name: 'encodes results per the channel rules',
    code: { python: PY_KINDS, javascript: JS_KINDS },
    entry: 'kinds',
    cases: KIND_CASES.map((k) => ({ id: k, args: [k] })),
    check(run, lang) {
      assert.equal(run.end?.status, 'ok');
      const r = Object.fromEntries(run.cases.map((c) => [c.id, c.result]));
      assert.deepEqual(r.set, { $set: [3] });
      assert.deepEqual(r.frozenset, { $set: [] });
      assert.deepEqual(r.tuple, [1, [2, 3]]);
      assert.deepEqual(r.intmap, { $map: [[1, 'a']] });
      assert.deepEqual(r.dollar, { $map: [['$set', 1]] });
      assert.deepEqual(r.nan, { $float: 'nan' });
      assert.deepEqual(r.inf, { $float: 'inf' });
      assert.deepEqual(r.ninf, { $float: '-inf' });
      assert.deepEqual(r.big, { $bigint: '18446744073709551616' });
      assert.equal(r.bool, true);
      assert.equal(r.none, null);
      assert.equal(r.str, 'é');
      assert.equal(r.float, 1.5);
      assert.deepEqual((r.cycle as unknown[])[0], 1);
      assert.equal(((r.cycle as unknown[])[1] as { $repr: string }).$repr, '<cycle>');
      const obj = r.obj as { $repr: string; $type: string };
      assert.equal(obj.$type, 'Point');
      assert.match(obj.$repr, lang === 'python' ? /^Point\(1\)$/ : /Point \{ x: 1 \}/);
    },
  },
  {
    name: 'an exception or a timeout fails that case only; args are fresh copies',
    code: {
      python: `
def f(kind, acc):
    acc.append(len(acc))
    if kind == "raise":
        d = {}
        return d["missing"]
    if kind == "loop":
        while True:
            pass
    if kind == "deep":
        return f(kind, acc)
    return acc
`,
      javascript: `
function f(kind, acc) {
  acc.push(acc.length);
  if (kind === 'raise') {
    return null.missing;
  }
  if (kind === 'loop') {
    while (true) {}
  }
  if (kind === 'deep') return f(kind, acc);
  return acc;
}
`,
    },
    entry: 'f',
    cases: [
      { id: 'ok1', args: ['ok', [7]] },
      { id: 'raise', args: ['raise', []] },
      { id: 'loop', args: ['loop', []], timeLimitMs: 200 },
      { id: 'deep', args: ['deep', []] },
      { id: 'ok2', args: ['ok', [7]] },
    ],
    check(run, lang) {
      assert.equal(run.end?.status, 'ok');
      const c = Object.fromEntries(run.cases.map((x) => [x.id, x]));
      assert.deepEqual(run.cases.map((x) => x.status), ['ok', 'error', 'timeout', 'error', 'ok']);
      assert.deepEqual(c.ok1.result, [7, 1]);
      assert.deepEqual(c.ok2.result, [7, 1], 'the second call got the same fresh args');
      assert.equal(c.raise.error?.type, lang === 'python' ? 'KeyError' : 'TypeError');
      assert.equal(c.raise.error?.line, lang === 'python' ? 6 : 5);
      assert.equal(c.raise.result, null);
      assert.equal(c.loop.error?.type, 'Timeout');
      assert.ok(c.loop.ms >= 150 && c.loop.ms < 60_000, `timeout after ${c.loop.ms} ms`);
      assert.equal(c.deep.error?.type, lang === 'python' ? 'RecursionError' : 'RangeError');
    },
  },
  {
    name: 'print/console output becomes output frames (step -1) before the case frame, capped',
    code: {
      python: 'print("defining")\ndef f(n):\n    print("x" * n)\n    return n\n',
      javascript: 'console.log("defining");\nfunction f(n) { console.log("x".repeat(n)); return n; }\n',
    },
    entry: 'f',
    cases: [{ id: 'a', args: [3] }, { id: 'b', args: [100] }, { id: 'never', args: [1] }],
    maxOutputBytes: 40,
    check(run) {
      const kinds = run.frames.map((f) => f.t);
      assert.deepEqual(kinds, ['output', 'case', 'output', 'end']);
      const outs = run.frames.filter((f) => f.t === 'output') as { text: string; step: number; stream: string }[];
      assert.equal(outs[0].text, 'defining\nxxx\n');
      assert.equal(outs[0].step, -1);
      assert.equal(outs[0].stream, 'stdout');
      assert.equal(outs[0].text.length + outs[1].text.length, 40);
      assert.equal(run.end?.status, 'output_limit');
    },
  },
  {
    name: 'missing entry: EntryNotFound',
    code: { python: 'def other(x):\n    return x\n', javascript: 'function other(x) { return x; }\n' },
    entry: 'solve',
    cases: [{ id: 'a', args: [1] }],
    check(run) {
      assert.equal(run.cases.length, 0);
      assert.equal(run.end?.status, 'error');
      assert.equal(run.end?.error?.type, 'EntryNotFound');
      assert.match(run.end!.error!.message, /solve/);
    },
  },
  {
    name: 'wrong number of parameters or not a function: EntryArity',
    code: { python: 'def solve(a, b):\n    return a\nvalue = 3\n', javascript: 'function solve(a, b) { return a; }\nconst value = 3;\n' },
    entry: 'solve',
    cases: [{ id: 'a', args: [1] }],
    check(run) {
      assert.equal(run.end?.error?.type, 'EntryArity');
      assert.match(run.end!.error!.message, /takes 2 (positional )?parameters \(a, b\), given 1 argument/);
    },
  },
  {
    name: 'not a function: EntryArity',
    code: { python: 'value = 3\n', javascript: 'const value = 3;\n' },
    entry: 'value',
    cases: [{ id: 'a', args: [] }],
    check(run) {
      assert.equal(run.end?.error?.type, 'EntryArity');
      assert.match(run.end!.error!.message, /not a function/);
    },
  },
  {
    name: 'a syntax error or an exception while defining ends the job',
    code: { python: 'x = 1\ndef f(:\n    pass\n', javascript: 'let x = 1;\nlet y = ;\nfunction f() {}\n' },
    entry: 'f',
    cases: [{ id: 'a', args: [] }],
    check(run) {
      assert.equal(run.end?.status, 'error');
      assert.equal(run.end?.error?.type, 'SyntaxError');
      assert.equal(run.end?.error?.line, 2);
    },
  },
  {
    name: 'an exception at module level ends the job with its line',
    code: { python: 'def f():\n    return 1\n\nraise ValueError("nope")\n', javascript: 'function f() { return 1; }\n\n\nthrow new RangeError("nope");\n' },
    entry: 'f',
    cases: [{ id: 'a', args: [] }],
    check(run, lang) {
      assert.equal(run.end?.status, 'error');
      assert.equal(run.end?.error?.type, lang === 'python' ? 'ValueError' : 'RangeError');
      assert.equal(run.end?.error?.message, 'nope');
      assert.equal(run.end?.error?.line, 4);
    },
  },
  {
    name: 'code that catches the timeout interruption is still stopped',
    code: {
      python: 'def f():\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n',
      javascript: 'function f() {\n  while (true) {\n    try { while (true) {} } catch (e) {}\n  }\n}\n',
    },
    entry: 'f',
    cases: [{ id: 'a', args: [], timeLimitMs: 100 }, { id: 'b', args: [], timeLimitMs: 100 }],
    check(run, lang) {
      assert.equal(run.cases[0].status, 'timeout');
      if (lang === 'python') {
        // the handler re-raises every 20 ms; after 25 swallowed raises the job ends
        assert.equal(run.cases.length, 1);
        assert.equal(run.end?.status, 'error');
        assert.equal(run.end?.error?.type, 'Timeout');
      } else {
        // a vm timeout cannot be caught: the next case runs
        assert.equal(run.cases[1].status, 'timeout');
        assert.equal(run.end?.status, 'ok');
      }
    },
  },
  {
    name: 'results over 1 MiB are replaced by $toolarge',
    code: { python: 'def f(n):\n    return list(range(n))\n', javascript: 'function f(n) { return Array.from({ length: n }, (_, i) => i); }\n' },
    entry: 'f',
    cases: [{ id: 'big', args: [300_000] }, { id: 'small', args: [3] }],
    check(run) {
      const [big, small] = run.cases;
      assert.equal(big.status, 'ok');
      assert.ok((big.result as { $toolarge: number }).$toolarge > 1024 * 1024);
      assert.deepEqual(small.result, [0, 1, 2]);
    },
  },
];

function job(s: Scenario, lang: Lang): GradeJob {
  return {
    mode: 'grade',
    code: s.code[lang],
    entry: typeof s.entry === 'string' ? s.entry : s.entry[lang],
    cases: s.cases,
    maxOutputBytes: s.maxOutputBytes ?? 65536,
  };
}

describe('grade mode harnesses', () => {
  const runs: Record<Lang, GradeRun[]> = { python: [], javascript: [] };
  before(async () => {
    const [py, js] = await Promise.all([
      gradePython(SCENARIOS.map((s) => job(s, 'python'))),
      Promise.all(SCENARIOS.map((s) => gradeJavaScript(job(s, 'javascript')))),
    ]);
    runs.python = py;
    runs.javascript = js;
  });

  for (const lang of ['python', 'javascript'] as const) {
    SCENARIOS.forEach((s, i) => {
      it(`${lang}: ${s.name}`, () => {
        const run = runs[lang][i];
        assert.ok(run.end, 'no end frame');
        assert.equal(run.frames[run.frames.length - 1], run.end, 'end is the last frame');
        for (const c of run.cases) {
          assert.equal(typeof c.ms, 'number');
          assert.ok('result' in c);
          assert.ok(['ok', 'error', 'timeout'].includes(c.status));
        }
        s.check(run, lang);
      });
    });
  }

  it('javascript: undefined results', async () => {
    const run = await gradeJavaScript({ mode: 'grade', code: JS_KINDS, entry: 'kinds', cases: [{ id: 'u', args: ['undef'] }] });
    assert.deepEqual(run.cases[0].result, { $undefined: true });
  });
});
