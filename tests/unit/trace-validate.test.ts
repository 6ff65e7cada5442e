// Checks that the hand-written tracer-frame validator accepts and rejects exactly what the zod schema does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TracerFrame } from '../../protocol/trace.ts';
import { isTracerFrame, parseTracerFrame } from '../../protocol/trace-validate.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random valid frames covering every kind of value, heap object, patch, delta, viz op and frame type. */
class Gen {
  constructor(readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  many<T>(f: () => T, max = 3): T[] {
    return Array.from({ length: this.int(max + 1) }, f);
  }
  value(): unknown {
    return this.pick<() => unknown>([
      () => this.int(100) - 50,
      () => 2.5,
      () => 'str',
      () => null,
      () => true,
      () => ({ r: this.int(50) }),
      () => ({ sp: this.pick(['undefined', 'nan', 'inf', '-inf']) }),
      () => ({ sp: 'bigint', v: '123456789012345678901' }),
      () => ({ sp: 'str', v: 'abc', len: 5000 }),
    ])();
  }
  heapObj(): unknown {
    const len = this.int(5);
    return this.pick<() => unknown>([
      () => ({ k: this.pick(['list', 'tuple', 'set']), items: this.many(() => this.value()), len }),
      () => ({ k: this.pick(['dict', 'map']), entries: this.many(() => [this.value(), this.value()]), len }),
      () => ({ k: 'object', cls: 'C', fields: this.many(() => [this.pick(['a', 'b']), this.value()]), len }),
      () => (this.rnd() < 0.5 ? { k: 'function', name: 'f', line: 3 } : { k: 'function', name: 'f' }),
      () => ({ k: 'class', name: 'K' }),
      () => ({ k: 'other', cls: 'range', repr: 'range(0, 3)' }),
    ])();
  }
  frame(): unknown {
    return { id: this.int(9), fn: 'f', vars: this.many(() => [this.pick(['x', 'y']), this.value()]) };
  }
  patch(): unknown {
    const p: Record<string, unknown> = {};
    if (this.rnd() < 0.2) p.full = this.heapObj();
    if (this.rnd() < 0.5) p.len = this.int(9);
    if (this.rnd() < 0.6) p.set = this.many(() => [this.value(), this.value()]);
    if (this.rnd() < 0.3) p.del = this.many(() => this.value());
    return p;
  }
  viz(): unknown {
    return this.pick<() => unknown>([
      () => ({ op: 'step', label: 'l', data: this.value() }),
      () => ({ op: 'step', label: 'l' }),
      () => ({ op: 'array', name: 'a', values: this.many(() => this.value()) }),
      () => ({ op: this.pick(['select', 'deselect']), name: 'a', from: 1, to: 2 }),
      () => ({ op: 'patch', name: 'a', index: 0, value: this.value() }),
      () => ({ op: 'depatch', name: 'a', index: 0 }),
      () => ({ op: 'note', text: 'hi' }),
    ])();
  }
  step(i: number): unknown {
    const s: Record<string, unknown> = { i, ev: this.pick(['line', 'call', 'return', 'exception', 'viz']), line: 3, fn: 'f', depth: this.int(3) };
    if (this.rnd() < 0.15) s.kf = { stack: this.many(() => this.frame()), heap: this.many(() => [this.int(50), this.heapObj()]) };
    else {
      if (this.rnd() < 0.2) s.pop = this.int(3);
      if (this.rnd() < 0.2) s.push = this.many(() => this.frame());
      if (this.rnd() < 0.3) s.new = this.many(() => [this.int(50), this.heapObj()]);
      if (this.rnd() < 0.4) s.upd = this.many(() => [this.int(50), this.patch()]);
      if (this.rnd() < 0.2) s.free = this.many(() => this.int(50));
      if (this.rnd() < 0.6) s.set = this.many(() => [this.int(9), this.pick(['x', 'y']), this.value()]);
      if (this.rnd() < 0.2) s.del = this.many(() => [this.int(9), 'x']);
    }
    if (this.rnd() < 0.2) s.ret = this.value();
    if (this.rnd() < 0.1) s.exc = { type: 'E', message: 'm' };
    if (this.rnd() < 0.15) s.viz = this.viz();
    return s;
  }
  tracerFrame(): unknown {
    return this.pick<() => unknown>([
      () => ({ t: 'hello', lang: this.pick(['python', 'javascript']), version: '3.13.1' }),
      () => ({ t: 'steps', steps: Array.from({ length: 1 + this.int(4) }, (_, i) => this.step(i)) }),
      () => ({ t: 'output', stream: this.pick(['stdout', 'stderr']), text: 'hi\n', step: this.int(5) - 1 }),
      () => ({ t: 'end', status: 'ok', steps: 10, peakRssKb: 1234 }),
      () => ({ t: 'end', status: 'error', steps: 3, error: { type: 'E', message: 'm', line: 4, column: 2 }, peakRssKb: 0 }),
    ])();
  }
}

const JUNK: readonly unknown[] = [null, undefined, 1.5, -1, 0, 'x', '', true, [], {}, [1, 2], [1, 2, 3], NaN, Infinity, -Infinity, { r: 1 }, { sp: 'nan' }];

/** A fresh copy each time: a shared object in the tree could be mutated into a cycle. */
const junk = (g: Gen): unknown => structuredClone(g.pick(JUNK));

/** Every (container, key) pair in a JSON-like tree, so one can be mutated at random. */
function slots(x: unknown, out: [Record<string | number, unknown>, string | number][] = []) {
  if (Array.isArray(x)) x.forEach((v, k) => (out.push([x as never, k]), slots(v, out)));
  else if (typeof x === 'object' && x !== null) for (const [k, v] of Object.entries(x)) (out.push([x as never, k]), slots(v, out));
  return out;
}

function mutate(x: unknown, g: Gen): void {
  const all = slots(x);
  if (all.length === 0) return;
  const [holder, key] = g.pick(all);
  const q = g.int(5);
  if (q === 0 && !Array.isArray(holder)) delete holder[key];
  else if (q === 1 && Array.isArray(holder)) holder.push(g.value());
  else if (q === 2 && typeof holder === 'object' && !Array.isArray(holder)) holder[g.pick(['zz', 'r', 'sp', 'len', 'full'])] = junk(g);
  else holder[key] = junk(g);
}

test('hand-written validator and zod agree on valid and mutated frames', () => {
  const g = new Gen(mulberry32(42));
  let accepted = 0;
  let rejected = 0;
  for (let n = 0; n < 6000; n++) {
    const frame = g.tracerFrame();
    for (let m = n % 3; m > 0; m--) mutate(frame, g);
    const zodOk = TracerFrame.safeParse(frame).success;
    assert.equal(isTracerFrame(frame), zodOk, `disagreement on ${JSON.stringify(frame)}`);
    if (zodOk) accepted++;
    else rejected++;
  }
  // Both outcomes are well represented, or the comparison proves little.
  assert.ok(accepted > 2000 && rejected > 1500, `accepted ${accepted}, rejected ${rejected}`);
});

test('specific edge cases agree', () => {
  const step = { i: 0, ev: 'line', line: 1, fn: 'f', depth: 0 };
  const cases: unknown[] = [
    null,
    [],
    { t: 'nope' },
    { t: 'steps', steps: [] },
    { t: 'steps', steps: [{ ...step, ret: null }] },
    { t: 'steps', steps: [{ ...step, ret: undefined }] },
    { t: 'steps', steps: [{ ...step, i: -1 }] },
    { t: 'steps', steps: [{ ...step, i: 1.5 }] },
    { t: 'steps', steps: [{ ...step, ev: 'jump' }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', NaN]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', Infinity]] }] }, // z.number() takes Infinity
    { t: 'steps', steps: [{ ...step, set: [[1, 'x']] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', 1, 2]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', { r: 1.5 }]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', { r: 1.5, sp: 'nan' }]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', { r: 2, extra: 1 }]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', { sp: 'str', v: 'a' }]] }] },
    { t: 'steps', steps: [{ ...step, set: [[1, 'x', [1]]] }] },
    { t: 'steps', steps: [{ ...step, upd: [[1, {}]] }] },
    { t: 'steps', steps: [{ ...step, upd: [[1, { full: null }]] }] },
    { t: 'steps', steps: [{ ...step, upd: [[1, { len: -1 }]] }] },
    { t: 'steps', steps: [{ ...step, new: [[1, { k: 'function', name: 'f', line: 1.5 }]] }] },
    { t: 'steps', steps: [{ ...step, new: [[1, { k: 'weird' }]] }] },
    { t: 'steps', steps: [{ ...step, viz: { op: 'select', name: 'a', from: 1 } }] },
    { t: 'output', stream: 'stdout', text: '', step: -1 },
    { t: 'output', stream: 'stdout', text: '', step: -2 },
    { t: 'end', status: 'ok', steps: 0, peakRssKb: -1 },
    { t: 'end', status: 'ok', steps: 0, peakRssKb: 1.5 },
    { t: 'end', status: 'error', steps: 0, peakRssKb: 1, error: { type: 'E', message: 'm', line: null } },
    { t: 'hello', lang: 'ruby', version: '3' },
  ];
  for (const c of cases) assert.equal(isTracerFrame(c), TracerFrame.safeParse(c).success, JSON.stringify(c));
});

test('parseTracerFrame returns a valid frame as is and throws zod errors for invalid ones', () => {
  const frame = { t: 'output', stream: 'stdout', text: 'hi', step: 0 };
  assert.equal(parseTracerFrame(frame), frame);
  assert.throws(() => parseTracerFrame({ t: 'output', stream: 'stdout', text: 'hi', step: 'x' }), { name: 'ZodError' });
});

test('parseTracerFrame expands a steps frame in the compact channel form, and refuses one it cannot', () => {
  const push = [{ id: 2, fn: 'f', vars: [['n', 3]] }];
  const frame = parseTracerFrame({
    t: 'steps',
    first: 7,
    steps: [[3, { ev: 'line', fn: '<module>', depth: 0 }], [1, { ev: 'call', push }], 2, [4, { set: [[2, 'n', 4]], i: 99, line: 1 }]],
  });
  assert.deepEqual(frame, {
    t: 'steps',
    steps: [
      { i: 7, ev: 'line', line: 3, fn: '<module>', depth: 0 },
      { i: 8, ev: 'call', line: 1, fn: 'f', depth: 1, push },
      { i: 9, ev: 'line', line: 2, fn: 'f', depth: 1 },
      { i: 10, ev: 'line', line: 4, fn: 'f', depth: 1, set: [[2, 'n', 4]] },
    ],
  });
  // slot entries, as the wire form has them: the frame's `vars` name the variables and do not stay in the frame
  assert.deepEqual(parseTracerFrame({ t: 'steps', first: 0, vars: [[1, 'i']], steps: [[1, { fn: '<module>', depth: 0 }], [2, 0, 300], [2, -1, 1]] }), {
    t: 'steps',
    steps: [
      { i: 0, ev: 'line', line: 1, fn: '<module>', depth: 0 },
      { i: 1, ev: 'line', line: 2, fn: '<module>', depth: 0, set: [[1, 'i', 300]] },
      { i: 2, ev: 'line', line: 2, fn: '<module>', depth: 0, set: [[1, 'i', 301]] },
    ],
  });
  // the first step names no fn and depth: nothing before it in the frame implies them
  assert.throws(() => parseTracerFrame({ t: 'steps', first: 0, steps: [3] }), /lacks the fn or depth/);
  // expanded, then validated as any steps frame: a bad value is refused
  assert.throws(() => parseTracerFrame({ t: 'steps', first: 0, steps: [[3, { fn: 'f', depth: 0, set: [[0, 'x', [1]]] }]] }), { name: 'ZodError' });
});
