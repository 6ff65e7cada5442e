/** The compact wire form of steps: every frame expands, on its own, to exactly the steps the tracer sent. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { decode, decodeServerFrame, encode, withPosition } from '../../protocol/codec.ts';
import { StepsWire } from '../../protocol/messages.ts';
import { compactSteps, expandSteps, WireSteps } from '../../protocol/steps-wire.ts';
import type { Frame, Step } from '../../protocol/trace.ts';
import { traceInSandbox } from '../support/trace.ts';

/** What a client in another language gets: the frame as sent, stamped, decoded, expanded. */
function throughWire(steps: Step[]): Step[] {
  const bytes = withPosition(encode({ type: 'steps', session: 's', run: 'r', ...compactSteps(steps) }), '1700000000000-3');
  const frame = decodeServerFrame(bytes);
  assert.equal(frame.type, 'steps');
  return frame.type === 'steps' ? frame.steps : [];
}

const frame = (id: number, fn: string): Frame => ({ id, fn, vars: [] });
const line = (i: number, lineNo: number, fn: string, depth: number, delta: Partial<Step> = {}): Step => ({ i, ev: 'line', line: lineNo, fn, depth, ...delta });

describe('compact steps: edge cases', () => {
  it('a frame starting mid-function carries fn and depth on its first step only', () => {
    const steps = [line(40, 7, 'walk', 3), line(41, 8, 'walk', 3), line(42, 9, 'walk', 3, { set: [[12, 'n', 4]] })];
    const wire = compactSteps(steps);
    assert.deepEqual(wire, { first: 40, steps: [[7, { fn: 'walk', depth: 3 }], 8, [9, 0, 4]], vars: [[12, 'n']] });
    assert.deepEqual(throughWire(steps), steps);
  });

  it('a line step that only sets variables names their slots, and an integer by its change where that is shorter', () => {
    const set = (i: number, id: number, name: string, value: Step['ret'], delta: Partial<Step> = {}) => line(i, 5, 'f', 1, { set: [[id, name, value!]], ...delta });
    const steps = [
      line(0, 4, 'f', 1),
      set(1, 2, 'i', 1000),
      set(2, 2, 'total', 70000),
      set(3, 2, 'i', 1001), // +1: one byte instead of three
      set(4, 2, 'total', 70007), // +7
      set(5, 2, 'total', 5), // a fixint already: sent as it is
      set(6, 2, 'total', 200000), // +199995 takes as long as 200000
      set(7, 3, 'i', 1002), // another frame's i: a slot of its own
      set(8, 2, 'i', 'done'),
      set(9, 2, 'i', 1003), // no number before it in the slot
      set(10, 2, 'i', 1010),
      set(11, 2, 'i', 4),
      set(12, 2, 'i', Number.MAX_SAFE_INTEGER), // nor is an unsafe change
      set(13, 2, 'i', -Number.MAX_SAFE_INTEGER),
      set(14, 2, 'i', 2.5),
      set(15, 2, 'i', 1003.5), // a change of 1000, but not between integers
      set(16, 2, 'i', { r: 9 }),
      set(17, 2, 'i', 7, { ev: 'call' }), // more than a plain line step
      line(18, 5, 'f', 1, { set: [[2, 'i', 8], [2, 'total', 100000]] }), // two variables
      set(19, 2, 'i', 5000),
      line(20, 5, 'f', 1, { set: [[2, 'i', 5001], [2, 'total', 100050]] }),
    ];
    const wire = compactSteps(steps);
    assert.deepEqual(wire.vars, [[2, 'i'], [2, 'total'], [3, 'i']]);
    assert.deepEqual(wire.steps.slice(1, 17), [
      [5, 0, 1000], [5, 1, 70000], [5, -1, 1], [5, -2, 7], [5, 1, 5], [5, 1, 200000], [5, 2, 1002], [5, 0, 'done'],
      [5, 0, 1003], [5, -1, 7], [5, 0, 4], [5, 0, Number.MAX_SAFE_INTEGER], [5, 0, -Number.MAX_SAFE_INTEGER],
      [5, 0, 2.5], [5, 0, 1003.5], [5, 0, { r: 9 }],
    ]);
    // i's last slot entry holds { r: 9 }: the call step's 7 was not a slot entry.
    assert.deepEqual(wire.steps.slice(17), [[5, { ev: 'call', set: [[2, 'i', 7]] }], [5, 0, 8, 1, 100000], [5, 0, 5000], [5, -1, 1, -2, 50]]);
    assert.deepEqual(throughWire(steps), steps);
  });

  it('calls and returns: fn and depth implied by push and pop, sent where they are not', () => {
    const steps: Step[] = [
      line(0, 1, '<module>', 0, { kf: { stack: [frame(1, '<module>')], heap: [] } }),
      { i: 1, ev: 'call', line: 3, fn: 'f', depth: 1, push: [frame(2, 'f')] },
      line(2, 4, 'f', 1),
      { i: 3, ev: 'return', line: 4, fn: 'f', depth: 1, ret: null },
      // Back in the caller: one frame popped; which function that is, the frame cannot know.
      line(4, 6, '<module>', 0, { pop: 1 }),
      // A tracer's depth that disagrees with its pop/push is sent as it is.
      { i: 5, ev: 'call', line: 3, fn: 'f', depth: 5, push: [frame(3, 'f')] },
    ];
    const wire = compactSteps(steps);
    assert.deepEqual(wire.steps, [
      [1, { kf: steps[0].kf }],
      [3, { ev: 'call', push: steps[1].push }],
      4,
      [4, { ev: 'return', ret: null }],
      [6, { fn: '<module>', pop: 1 }],
      [3, { ev: 'call', depth: 5, push: steps[5].push }],
    ]);
    assert.deepEqual(throughWire(steps), steps);
  });

  it('non-line events and their fields; `ret: null` stays distinct from no ret', () => {
    const steps: Step[] = [
      { i: 9, ev: 'exception', line: 2, fn: 'g', depth: 2, exc: { type: 'ValueError', message: 'bad' } },
      { i: 10, ev: 'viz', line: 3, fn: 'g', depth: 2, viz: { op: 'note', text: 'hi' } },
      { i: 11, ev: 'return', line: 3, fn: 'g', depth: 2, ret: null },
      { i: 12, ev: 'return', line: 3, fn: 'g', depth: 1, pop: 1 },
    ];
    const back = throughWire(steps);
    assert.deepEqual(back, steps);
    assert.ok('ret' in back[2] && back[2].ret === null);
    assert.ok(!('ret' in back[3]));
  });

  it('keyframes imply the header, also past the first step; an empty keyframe stack does not', () => {
    const kf = { stack: [frame(1, '<module>'), frame(5, 'h')], heap: [] };
    const steps: Step[] = [line(1000, 5, 'h', 1, { kf }), line(1001, 6, 'h', 1), line(1002, 2, 'q', 0, { kf: { stack: [], heap: [] } }), line(1003, 3, 'h', 1, { kf })];
    const wire = compactSteps(steps);
    assert.deepEqual(wire.steps[0], [5, { kf }]);
    assert.deepEqual(wire.steps[2], [2, { fn: 'q', depth: 0, kf: { stack: [], heap: [] } }]);
    assert.deepEqual(wire.steps[3], [3, { kf }]);
    assert.deepEqual(throughWire(steps), steps);
  });

  it('indices follow from `first`: a gap cannot be written, and a batch of one works', () => {
    const expanded = expandSteps({ first: 17, steps: [[1, { fn: 'm', depth: 0 }], 2, 3] });
    assert.deepEqual(expanded.map((s) => s.i), [17, 18, 19]);
    assert.deepEqual(throughWire([line(0, 1, '<module>', 0)]), [line(0, 1, '<module>', 0)]);
    assert.deepEqual(compactSteps([]), { first: 0, steps: [] });
  });

  it('rejects what no encoder writes: a bare first step, unknown entry shapes, a bad `first`', () => {
    assert.throws(() => expandSteps({ first: 0, steps: [5] }), /lacks the fn or depth/);
    assert.throws(() => expandSteps({ first: 0, steps: [[5, { fn: 'x' }]] }), /lacks the fn or depth/);
    assert.throws(() => expandSteps({ first: 0, steps: [[5, { fn: 'x', depth: 0 }], [6, { pop: 2 }]] }), /lacks the fn or depth/);
    for (const bad of ['5', [5], [5, 6], [5, []], [5.5, {}], null, [5, 0, 1, 2], [5.5, 0, 1]]) {
      assert.throws(() => expandSteps({ first: 0, steps: [[1, { fn: 'x', depth: 0 }], bad] }), /neither a line number/, JSON.stringify(bad));
    }
    const head = [1, { fn: 'x', depth: 0 }];
    for (const vars of [undefined, [], [[1]], [['1', 'i']], [[1, 2]], {}]) {
      assert.throws(() => expandSteps({ first: 0, steps: [head, [2, 0, 5]], vars }), /does not give/, JSON.stringify(vars));
    }
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, 0, 5, 1, 6]], vars: [[1, 'i']] }), /slot 1, which `vars` does not give/);
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, '0', 5]], vars: [[1, 'i']] }), /slot "0", which `vars` does not give/);
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, -1, 5]], vars: [[1, 'i']] }), /without an earlier integer/);
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, 0, 's'], [2, -1, 5]], vars: [[1, 'i']] }), /without an earlier integer/);
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, 0, 4], [2, -1, 0.5]], vars: [[1, 'i']] }), /without an earlier integer/);
    assert.throws(() => expandSteps({ first: 0, steps: [head, [2, 0, 4.5], [2, -1, 1]], vars: [[1, 'i']] }), /without an earlier integer/);
    assert.throws(() => expandSteps({ first: 0, steps: [[2, 0, 4]], vars: [[1, 'i']] }), /lacks the fn or depth/);
    assert.throws(() => expandSteps({ first: -1, steps: [] }), /not an index/);
    assert.throws(() => expandSteps({ first: 0, steps: {} as unknown[] }), /not an index/);
  });

  it('keys a tracer adds to its steps do not reach the wire', () => {
    const forged = { ...line(0, 1, '<module>', 0, { set: [[1, 'x', 1]] }), html: '<script>' } as Step;
    assert.deepEqual(throughWire([forged]), [line(0, 1, '<module>', 0, { set: [[1, 'x', 1]] })]);
  });

  it('a frame stored before the compact form (full steps, no `first`) still decodes', () => {
    const steps = [line(3, 1, '<module>', 0), line(4, 2, '<module>', 0)];
    const decoded = decodeServerFrame(encode({ type: 'steps', session: 's', run: 'r', pos: '1-0', steps }));
    assert.deepEqual(decoded, { type: 'steps', session: 's', run: 'r', pos: '1-0', first: 3, steps });
  });

  it('the wire frame matches its schema, in standard MessagePack any library reads', () => {
    const steps = [line(0, 1, '<module>', 0, { kf: { stack: [frame(1, '<module>')], heap: [] } }), line(1, 2, '<module>', 0, { set: [[1, 'x', -3.5]] }), line(2, 300, '<module>', 0)];
    const bytes = withPosition(encode({ type: 'steps', session: 's', run: 'r', ...compactSteps(steps) }), '1-0');
    const raw = readStandard(bytes);
    assert.deepEqual(raw, decode(bytes));
    StepsWire.parse(raw);
    WireSteps.parse(compactSteps(steps));
  });
});

/**
 * A MessagePack reader written from the specification, for the formats the protocol promises (nil, booleans,
 * integers, float64, str, array, map) and nothing else: what a client in another language has to handle.
 */
function readStandard(b: Uint8Array): unknown {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const text = (n: number) => new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(p, (p += n)));
  const list = (n: number): unknown[] => Array.from({ length: n }, () => read());
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let k = 0; k < n; k++) out[read() as string] = read();
    return out;
  };
  const read = (): unknown => {
    const t = b[p++];
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t <= 0x8f) return map(t & 0x0f);
    if (t <= 0x9f) return list(t & 0x0f);
    if (t <= 0xbf) return text(t & 0x1f);
    const at = p;
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xcb: p += 8; return view.getFloat64(at);
      case 0xcc: p += 1; return view.getUint8(at);
      case 0xcd: p += 2; return view.getUint16(at);
      case 0xce: p += 4; return view.getUint32(at);
      case 0xd0: p += 1; return view.getInt8(at);
      case 0xd1: p += 2; return view.getInt16(at);
      case 0xd2: p += 4; return view.getInt32(at);
      case 0xd9: p += 1; return text(view.getUint8(at));
      case 0xda: p += 2; return text(view.getUint16(at));
      case 0xdc: p += 2; return list(view.getUint16(at));
      case 0xde: p += 2; return map(view.getUint16(at));
      default: throw new Error(`format 0x${t.toString(16)} at byte ${at - 1} is not one the protocol uses`);
    }
  };
  const value = read();
  assert.equal(p, b.length, 'trailing bytes');
  return value;
}

const corpus = (lang: 'python' | 'javascript', names: string[]) =>
  names.map((name) => ({ lang, name, code: readFileSync(fileURLToPath(new URL(`../corpus/${lang}/${name}`, import.meta.url)), 'utf8') }));

describe('compact steps: real traces', () => {
  // Recursion, generators, exceptions (caught and not), classes, viz, async: every kind of header change.
  const programs = [
    ...corpus('python', ['05-fib-recursive.py', '15-generators.py', '19-exceptions-caught.py', '25-inheritance.py', '34-error-zero-division.py', '52-mutual-recursion.py']),
    ...corpus('javascript', ['04-recursion-factorial.js', '10-generators.js', '11-exceptions-caught.js', '28-viz-api.js', '29-async-await.js', '36-error-uncaught.js']),
  ];
  for (const { lang, name, code } of programs) {
    it(`${lang} ${name}: every batch, and a frame starting at any step, expands to the tracer's steps`, async () => {
      // Small batches and a short keyframe interval put frame starts and keyframes everywhere.
      const frames = await traceInSandbox(lang, code, { batchSteps: 5, keyframeEvery: 7 });
      const batches = frames.flatMap((f) => (f.t === 'steps' ? [f.steps] : []));
      assert.ok(batches.length > 3, `${batches.length} batches`);
      for (const batch of batches) assert.deepEqual(throughWire(batch), batch);
      const all = batches.flat();
      for (let start = 0; start < all.length; start++) {
        const window = all.slice(start, start + 4);
        assert.deepEqual(expandSteps(decode(encode(compactSteps(window))) as WireSteps), window, `frame starting at step ${start}`);
      }
    });
  }
});
