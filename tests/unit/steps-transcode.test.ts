/**
 * The runner's one-pass path for compact steps frames (protocol/steps-transcode.ts) against the general path it
 * stands in for (parseTracerFrame, then compactSteps): over every steps frame the Python and JavaScript tracers write
 * for a set of programs (run here, on the host's python3 and node, without Docker), and over those frames broken at
 * random. A frame the general path takes must come out the same or be left to it (null); one it refuses, left to it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { compactSteps } from '../../protocol/steps-wire.ts';
import { transcodeSteps } from '../../protocol/steps-transcode.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';
import { paths } from '../../server/paths.ts';

const PROGRAMS: Record<'python' | 'javascript', string[]> = {
  python: [
    'a = [5, 2, 9, 1, 7, 3]\nfor i in range(len(a)):\n    for j in range(len(a) - 1 - i):\n        if a[j] > a[j + 1]:\n            a[j], a[j + 1] = a[j + 1], a[j]\nprint(a)\n',
    'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(9))\n',
    'class P:\n    def __init__(self, x):\n        self.x = x\nd = {"a": P(1), "b": {1, 2}}\nd["c"] = (1, 2.5, "s" * 3)\ndel d["a"]\ntry:\n    raise ValueError("no")\nexcept ValueError as e:\n    m = str(e)\nbig = 2 ** 70\n',
    'g = {0: [1, 2], 1: [2], 2: []}\nseen = set()\ndef dfs(v):\n    seen.add(v)\n    for w in g[v]:\n        if w not in seen:\n            dfs(w)\ndfs(0)\nx = [i * i for i in range(40)]\n',
  ],
  javascript: [
    'const a = [5, 2, 9, 1, 7, 3];\nfor (let i = 0; i < a.length; i++)\n  for (let j = 0; j < a.length - 1 - i; j++)\n    if (a[j] > a[j + 1]) [a[j], a[j + 1]] = [a[j + 1], a[j]];\nconsole.log(a);\n',
    'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nconsole.log(fib(9));\n',
    'class P { constructor(x) { this.x = x; } }\nconst m = new Map([["a", new P(1)]]);\nm.set("b", new Set([1, 2]));\nm.delete("a");\nlet u; let n = NaN; let big = 2n ** 70n;\ntry { throw new Error("no"); } catch (e) { u = e.message; }\n',
    'const g = { 0: [1, 2], 1: [2], 2: [] };\nconst seen = new Set();\nfunction dfs(v) { seen.add(v); for (const w of g[v]) if (!seen.has(w)) dfs(w); }\ndfs(0);\nconst x = Array.from({ length: 40 }, (_, i) => i * i);\n',
  ],
};

const TRACER = { python: ['python3', '-u', path.join(paths.tracerRuntimes, 'python/tracer.py')], javascript: [process.execPath, path.join(paths.tracerRuntimes, 'javascript/tracer.mjs')] };

/** Every steps frame one run writes, parsed. Batches of 7 steps, so frames start in every kind of place. */
function stepsFrames(language: 'python' | 'javascript', code: string): Record<string, unknown>[] {
  const job = { code, stdin: [], maxSteps: 100000, maxOutputBytes: 100000, maxItems: 100, maxString: 1000, keyframeEvery: 50, full: false, batchSteps: 7 };
  const [cmd, ...args] = TRACER[language];
  const r = spawnSync(cmd, args, { input: JSON.stringify(job) + '\n', maxBuffer: 64 << 20, timeout: 120_000 });
  assert.equal(r.status, 0, `${language} tracer: ${r.stderr?.toString()}`);
  const frames: Record<string, unknown>[] = [];
  for (let at = 0; at < r.stdout.length; ) {
    const n = r.stdout.readUInt32BE(at);
    frames.push(JSON.parse(r.stdout.subarray(at + 4, at + 4 + n).toString('utf8')));
    at += 4 + n;
  }
  assert.equal(frames.at(-1)?.t, 'end');
  return frames.filter((f) => f.t === 'steps');
}

/** The general path's answer: the compacted batch and its first index, or 'refused'. */
function general(frame: unknown): unknown {
  try {
    const parsed = parseTracerFrame(structuredClone(frame));
    if (parsed.t !== 'steps') return 'refused';
    return compactSteps(parsed.steps);
  } catch {
    return 'refused';
  }
}

// A deterministic generator, so a failure names a case that can be run again.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const JUNK: unknown[] = [null, -1, 1.5, 0, 7, '', 'line', 'call', 'f', [], [1], [1, 2], {}, { r: 1 }, { sp: 'nan' }, { stack: [] }, true];

/** The frame with one value somewhere inside it replaced by junk, or one key or item removed. */
function broken(frame: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const copy = structuredClone(frame);
  const containers: (Record<string, unknown> | unknown[])[] = [];
  const collect = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return;
    containers.push(v as Record<string, unknown>);
    for (const c of Object.values(v)) collect(c);
  };
  collect(copy.steps);
  const target = containers[Math.floor(next() * containers.length)];
  const keys = Object.keys(target);
  if (keys.length === 0) return copy;
  const key = keys[Math.floor(next() * keys.length)];
  if (next() < 0.2) {
    if (Array.isArray(target)) target.splice(Number(key), 1);
    else delete target[key];
  } else (target as Record<string, unknown>)[key] = JUNK[Math.floor(next() * JUNK.length)];
  return copy;
}

describe('steps frames in one pass (protocol/steps-transcode.ts)', () => {
  const frames = (['python', 'javascript'] as const).flatMap((language) => PROGRAMS[language].flatMap((code) => stepsFrames(language, code).map((frame) => ({ language, frame }))));

  it('takes every steps frame the tracers write, and gives what the general path gives', () => {
    assert.ok(frames.filter((f) => f.language === 'python').length > 20 && frames.filter((f) => f.language === 'javascript').length > 20);
    for (const { language, frame } of frames) {
      const fast = transcodeSteps(structuredClone(frame));
      assert.notEqual(fast, null, `${language} frame at ${frame.first} was left to the general path`);
      assert.deepEqual(fast, general(frame), `${language} frame at ${frame.first}`);
    }
  });

  it('leaves to the general path every broken frame that path refuses, and agrees with it on the rest', () => {
    const next = random(20261207);
    let refused = 0;
    for (let k = 0; k < 20000; k++) {
      const { language, frame } = frames[Math.floor(next() * frames.length)];
      const bad = broken(frame, next);
      const expected = general(bad);
      const fast = transcodeSteps(structuredClone(bad));
      if (expected === 'refused') {
        refused++;
        assert.equal(fast, null, `case ${k} (${language}): the general path refuses ${JSON.stringify(bad).slice(0, 400)}`);
      } else if (fast !== null) assert.deepEqual(fast, expected, `case ${k} (${language}): ${JSON.stringify(bad).slice(0, 400)}`);
    }
    // The breakage reaches what matters: a good share of the cases are frames the general path refuses.
    assert.ok(refused > 2000, `only ${refused} of 20000 broken frames were refused`);
  });

  it('leaves slot entries, a frame-level vars table and non-compact frames to the general path', () => {
    assert.equal(transcodeSteps({ t: 'steps', first: 0, steps: [[1, { fn: 'f', depth: 0 }], [2, 0, 5]], vars: [[0, 'x']] }), null);
    assert.equal(transcodeSteps({ t: 'steps', steps: [{ i: 0, ev: 'line', line: 1, fn: 'f', depth: 0 }] }), null);
    assert.equal(transcodeSteps({ t: 'output', stream: 'stdout', text: 'x', step: 0 }), null);
    assert.equal(transcodeSteps([1, 2]), null);
  });

  it('takes no fields from a `__proto__` key, as the general path takes none', () => {
    const forged = JSON.parse('{"t":"steps","first":0,"steps":[[1,{"fn":"f","depth":0}],[2,{"__proto__":{"ret":5},"set":[[0,"x",1]]}]]}');
    const fast = transcodeSteps(structuredClone(forged));
    assert.deepEqual(fast, general(forged));
    assert.deepEqual(fast?.steps[1], [2, 0, 1]);
  });
});
