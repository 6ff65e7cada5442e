// Unit tests for TraceState: delta replay, seeking, patch semantics and canonical forms, per tracer-runtimes/CHANNEL.md.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { TraceState, TraceError, reachable, canonical, valueEquals } from '../../protocol/trace-state.ts';
import type { Frame, HeapObj, Step, Value, Patch } from '../../protocol/trace.ts';
import { Step as StepSchema } from '../../protocol/trace.ts';

// ---- helpers ---------------------------------------------------------------------------

type Extra = Omit<Partial<Step>, 'i' | 'fn' | 'depth'>;
const step = (i: number, fn: string, depth: number, extra: Extra = {}): Step => ({
  i,
  ev: 'line',
  line: i + 1,
  fn,
  depth,
  ...extra,
});
const fr = (id: number, fn: string, vars: [string, Value][] = []): Frame => ({ id, fn, vars });
const list = (items: Value[], len = items.length): HeapObj => ({ k: 'list', items, len });
const dict = (entries: [Value, Value][], len = entries.length): HeapObj => ({ k: 'dict', entries, len });
const obj = (cls: string, fields: [string, Value][], len = fields.length): HeapObj => ({ k: 'object', cls, fields, len });
const r = (id: number): Value => ({ r: id });
const vars = (s: { stack: readonly Frame[] }, k = -1): [string, Value][] => s.stack.at(k)!.vars;
const heapOf = (s: { heap: ReadonlyMap<number, HeapObj> }, id: number): HeapObj => {
  const o = s.heap.get(id);
  assert.ok(o, `object ${id} should be in the heap`);
  return o;
};
/** Whole state (stack + every tracked object), order-normalized, for exact comparisons. */
/**
 * deepStrictEqual whose failure message stays short: assert's own diff of two large
 * states can take minutes, which turns a failing property test into a hang.
 */
function sameState(actual: unknown, expected: unknown, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const cut = (x: unknown) => JSON.stringify(x).slice(0, 1500);
  assert.fail(`${what}\n  actual:   ${cut(actual)}\n  expected: ${cut(expected)}`);
}
const plain = (s: { stack: readonly Frame[]; heap: ReadonlyMap<number, HeapObj> }) => ({
  stack: s.stack,
  heap: [...s.heap].sort((a, b) => a[0] - b[0]),
});

/** A module frame (id 1) with a list a = [1, 2, 3] as object 10, as the keyframe of step 0. */
const start = (): Step =>
  step(0, '<module>', 0, { kf: { stack: [fr(1, '<module>', [['a', r(10)]])], heap: [[10, list([1, 2, 3])]] } });

// ---- applying steps ------------------------------------------------------------------------

describe('apply', () => {
  test('accepts a step, an array and a steps frame, in index order', () => {
    const t = new TraceState();
    t.apply(start());
    t.apply([step(1, '<module>', 0, { set: [[1, 'x', 1]] }), step(2, '<module>', 0, { set: [[1, 'y', 2]] })]);
    t.apply({ t: 'steps', steps: [step(3, '<module>', 0, { set: [[1, 'z', 3]] })] });
    assert.equal(t.length, 4);
    assert.deepEqual(vars(t.at(3)), [['a', r(10)], ['x', 1], ['y', 2], ['z', 3]]);
    assert.equal(t.at(3).step.i, 3);
  });

  test('rejects a gap or a repeat in indices', () => {
    const t = new TraceState().apply(start());
    assert.throws(() => t.apply(step(2, '<module>', 0)), TraceError);
    assert.throws(() => t.apply(step(0, '<module>', 0)), TraceError);
    assert.equal(t.length, 1);
  });

  test('a trace may be joined at a keyframe, not at a delta', () => {
    assert.throws(() => new TraceState().apply(step(5, '<module>', 0, { set: [[1, 'x', 1]] })), TraceError);
    const t = new TraceState().apply({ ...start(), i: 1000 });
    t.apply(step(1001, '<module>', 0, { set: [[1, 'x', 1]] }));
    assert.equal(t.first, 1000);
    assert.deepEqual(vars(t.at(1001)), [['a', r(10)], ['x', 1]]);
    assert.throws(() => t.at(999), RangeError);
    assert.throws(() => t.at(1002), RangeError);
  });

  test('a trace without a keyframe at step 0 starts from an empty state', () => {
    const t = new TraceState().apply([
      step(0, '<module>', 0, { ev: 'call', push: [fr(1, '<module>')] }),
      step(1, '<module>', 0, { set: [[1, 'x', 1]] }),
    ]);
    assert.deepEqual(t.at(1).stack, [fr(1, '<module>', [['x', 1]])]);
    assert.deepEqual(t.at(0).stack, [fr(1, '<module>')]);
  });
});

// ---- keyframes -----------------------------------------------------------------------------

describe('keyframes', () => {
  test('a keyframe replaces the whole state, including objects still tracked before it', () => {
    const t = new TraceState().apply([
      start(),
      step(1, '<module>', 0, { new: [[11, list([9])]], set: [[1, 'b', r(11)]] }),
      step(2, '<module>', 0, {
        kf: { stack: [fr(1, '<module>', [['c', 5]])], heap: [[12, dict([['k', 1]])]] },
      }),
    ]);
    const s = t.at(2);
    assert.deepEqual(s.stack, [fr(1, '<module>', [['c', 5]])]);
    assert.deepEqual([...s.heap.keys()], [12]);
    assert.deepEqual(vars(t.at(1)), [['a', r(10)], ['b', r(11)]]);
  });

  test('state at a keyframe step equals the keyframe', () => {
    const t = new TraceState().apply(start());
    const s = t.at(0);
    assert.deepEqual(s.stack, start().kf!.stack);
    assert.deepEqual([...s.heap], start().kf!.heap);
  });
});

// ---- variables and frames ----------------------------------------------------------------

describe('frames and variables', () => {
  test('set keeps definition order: a changed variable stays in place, a new one goes last', () => {
    const t = new TraceState().apply([
      start(),
      step(1, '<module>', 0, { set: [[1, 'x', 1], [1, 'y', 2]] }),
      step(2, '<module>', 0, { set: [[1, 'x', 'changed']] }),
      step(3, '<module>', 0, { del: [[1, 'x']] }),
      step(4, '<module>', 0, { set: [[1, 'x', 3]] }),
    ]);
    assert.deepEqual(vars(t.at(2)), [['a', r(10)], ['x', 'changed'], ['y', 2]]);
    assert.deepEqual(vars(t.at(3)), [['a', r(10)], ['y', 2]]);
    assert.deepEqual(vars(t.at(4)), [['a', r(10)], ['y', 2], ['x', 3]]);
  });

  test('set applies before del within a step (order: pop, push, new, upd, set, del, free)', () => {
    const t = new TraceState().apply([start(), step(1, '<module>', 0, { set: [[1, 'x', 1]], del: [[1, 'x']] })]);
    assert.deepEqual(vars(t.at(1)), [['a', r(10)]]);
  });

  test('a returning frame stays on the stack until the next step pops it', () => {
    const t = new TraceState({ verify: true }).apply([
      start(),
      step(1, 'f', 1, { ev: 'call', push: [fr(2, 'f', [['n', 3]])] }),
      step(2, 'f', 1, { set: [[2, 'm', 6]] }),
      step(3, 'f', 1, { ev: 'return', ret: 6 }),
      step(4, '<module>', 0, { pop: 1, set: [[1, 'res', 6]] }),
    ]);
    assert.deepEqual(
      t.at(3).stack.map((f) => f.id),
      [1, 2],
    );
    assert.equal(t.at(3).step.ret, 6);
    assert.deepEqual(vars(t.at(3)), [['n', 3], ['m', 6]]);
    assert.deepEqual(t.at(4).stack, [fr(1, '<module>', [['a', r(10)], ['res', 6]])]);
    // Backward again: the popped frame is back with its variables.
    assert.deepEqual(vars(t.at(2)), [['n', 3], ['m', 6]]);
  });

  test('nested calls, a variable set in a caller frame, and an exception unwinding two frames', () => {
    const t = new TraceState({ verify: true }).apply([
      start(),
      step(1, 'f', 1, { ev: 'call', push: [fr(2, 'f')] }),
      step(2, 'g', 2, { ev: 'call', push: [fr(3, 'g', [['x', 1]])] }),
      // A global assignment inside g shows in the module frame.
      step(3, 'g', 2, { set: [[1, 'counter', 1]] }),
      step(4, 'h', 3, { ev: 'call', push: [fr(4, 'h')] }),
      step(5, 'h', 3, { ev: 'exception', exc: { type: 'ValueError', message: 'bad' } }),
      // h and g are unwound; f catches.
      step(6, 'f', 1, { pop: 2, set: [[2, 'e', 'bad']] }),
      step(7, 'f', 1, { ev: 'return', ret: null }),
      step(8, '<module>', 0, { pop: 1 }),
    ]);
    assert.deepEqual(
      t.at(5).stack.map((f) => f.fn),
      ['<module>', 'f', 'g', 'h'],
    );
    assert.deepEqual(t.at(5).step.exc, { type: 'ValueError', message: 'bad' });
    assert.deepEqual(
      t.at(6).stack.map((f) => [f.id, f.vars]),
      [
        [1, [['a', r(10)], ['counter', 1]]],
        [2, [['e', 'bad']]],
      ],
    );
    assert.equal(t.at(7).step.ret, null);
    assert.equal(t.at(8).stack.length, 1);
    assert.deepEqual(vars(t.at(2), 0), [['a', r(10)]]);
  });

  test('pop and push in one step (a generator resumed under a new frame id)', () => {
    const t = new TraceState({ verify: true }).apply([
      start(),
      step(1, 'gen', 1, { ev: 'call', push: [fr(2, 'gen', [['k', 0]])] }),
      step(2, 'gen', 1, { ev: 'return', ret: 0 }),
      step(3, 'gen', 1, { ev: 'call', pop: 1, push: [fr(3, 'gen', [['k', 1]])] }),
    ]);
    assert.deepEqual(t.at(3).stack.at(-1), fr(3, 'gen', [['k', 1]]));
    assert.equal(t.at(3).stack.length, 2);
  });

  test('verify catches a frame popped too early or a wrong top frame', () => {
    const early = new TraceState({ verify: true }).apply([
      start(),
      step(1, 'f', 1, { ev: 'call', push: [fr(2, 'f')] }),
      step(2, 'f', 1, { ev: 'return', ret: 1, pop: 1 }),
    ]);
    assert.throws(() => early.at(2), /depth 1 but 1 frames/);
    const wrongFn = new TraceState({ verify: true }).apply([start(), step(1, 'f', 1, { push: [fr(2, 'g')] })]);
    assert.throws(() => wrongFn.at(1), /fn f but the top frame runs g/);
    // Without verify the same trace replays.
    assert.equal(new TraceState().apply([start(), step(1, 'f', 1, { push: [fr(2, 'g')] })]).at(1).stack.length, 2);
  });

  test('deltas naming a frame that is not on the stack, or popping too much, are errors', () => {
    const bad = (s: Step) => () => new TraceState().apply([start(), s]).at(1);
    assert.throws(bad(step(1, '<module>', 0, { set: [[9, 'x', 1]] })), /frame 9 is not on the stack/);
    assert.throws(bad(step(1, '<module>', 0, { del: [[1, 'nope']] })), /del of unknown variable nope/);
    assert.throws(bad(step(1, '<module>', 0, { pop: 2 })), /pop 2 with 1 frames/);
  });
});

// ---- heap and patches ----------------------------------------------------------------------

describe('heap patches', () => {
  const withObj = (o: HeapObj, patches: Patch[], maxItems?: number) => {
    const t = new TraceState({ maxItems }).apply({
      ...start(),
      kf: { stack: [fr(1, '<module>', [['o', r(10)]])], heap: [[10, o]] },
    });
    patches.forEach((p, k) => t.apply(step(k + 1, '<module>', 0, { upd: [[10, p]] })));
    return t;
  };

  test('list: set by index (replace and append), len, and cut on shrink', () => {
    const t = withObj(list([1, 2, 3]), [{ set: [[1, 20]] }, { set: [[3, 4]], len: 4 }, { len: 1 }, { len: 0 }]);
    assert.deepEqual(heapOf(t.at(1), 10), list([1, 20, 3]));
    assert.deepEqual(heapOf(t.at(2), 10), list([1, 20, 3, 4]));
    assert.deepEqual(heapOf(t.at(3), 10), list([1]));
    assert.deepEqual(heapOf(t.at(4), 10), list([]));
  });

  test('list: del removes by index, indices naming positions before the removal, after set', () => {
    // [a b c d e] → remove indices 1 and 3 → [a c e]
    const t = withObj(list(['a', 'b', 'c', 'd', 'e']), [{ del: [1, 3], len: 3 }, { set: [[3, 'x']], del: [0], len: 3 }]);
    assert.deepEqual(heapOf(t.at(1), 10), list(['a', 'c', 'e']));
    // set index 3 appends 'x' to [a c e] first, then index 0 goes: [c e x]
    assert.deepEqual(heapOf(t.at(2), 10), list(['c', 'e', 'x']));
  });

  test('list: a set index past the end (a hole) is an error', () => {
    assert.throws(() => withObj(list([1]), [{ set: [[3, 1]], len: 4 }]).at(1), /list index 3 out of range/);
    assert.throws(() => withObj(list([1]), [{ del: [5] }]).at(1), /out of range for del/);
  });

  test('truncation: len above items.length is kept, cut is min(len, maxItems)', () => {
    const shown = Array.from({ length: 100 }, (_, k) => k);
    const t = withObj(list(shown, 300), [
      { len: 301 }, // append beyond the view: nothing to show
      { set: [[0, -1]] }, // visible change, len unchanged
      { len: 150 }, // many pops: still longer than the view
      { len: 40 }, // now shorter than the view
      { set: [[40, 'new']], len: 41 },
    ]);
    assert.deepEqual(heapOf(t.at(1), 10), list(shown, 301));
    assert.deepEqual((heapOf(t.at(2), 10) as { items: Value[] }).items.slice(0, 2), [-1, 1]);
    assert.equal((heapOf(t.at(3), 10) as { items: Value[] }).items.length, 100);
    assert.deepEqual(heapOf(t.at(4), 10), list([-1, ...shown.slice(1, 40)]));
    assert.deepEqual(heapOf(t.at(5), 10), list([-1, ...shown.slice(1, 40), 'new']));
  });

  test('the cut honours the maxItems option', () => {
    const t = withObj(list([1, 2, 3, 4, 5, 6], 10), [{ set: [[6, 7]], len: 11 }], 3);
    assert.deepEqual(heapOf(t.at(1), 10), list([1, 2, 3], 11));
    const wide = withObj(list([1, 2, 3, 4, 5, 6], 10), [{ set: [[6, 7]], len: 11 }], 100);
    assert.deepEqual(heapOf(wide.at(1), 10), list([1, 2, 3, 4, 5, 6, 7], 11));
  });

  test('truncated strings and specials travel untouched', () => {
    const long: Value = { sp: 'str', v: 'ab', len: 5000 };
    const t = withObj(list([long, { sp: 'nan' }]), [{ set: [[1, { sp: 'bigint', v: '123456789012345678901234' }]] }]);
    assert.deepEqual(heapOf(t.at(1), 10), list([long, { sp: 'bigint', v: '123456789012345678901234' }]));
  });

  test('dict: keys matched by deep equality, new keys appended, del by key', () => {
    const t = withObj(dict([['a', 1], [1, 'one'], [{ sp: 'str', v: 'lo', len: 2000 }, 'long']]), [
      { set: [['a', 2]] },
      { set: [['1', 'string one']], len: 4 }, // '1' is not 1
      { set: [[{ sp: 'str', v: 'lo', len: 2000 }, 'LONG']] },
      { del: ['a', 'absent'], len: 3 },
    ]);
    assert.deepEqual(heapOf(t.at(1), 10), dict([['a', 2], [1, 'one'], [{ sp: 'str', v: 'lo', len: 2000 }, 'long']]));
    assert.deepEqual(
      heapOf(t.at(2), 10),
      dict([['a', 2], [1, 'one'], [{ sp: 'str', v: 'lo', len: 2000 }, 'long'], ['1', 'string one']]),
    );
    assert.deepEqual((heapOf(t.at(3), 10) as { entries: unknown[] }).entries[2], [{ sp: 'str', v: 'lo', len: 2000 }, 'LONG']);
    assert.deepEqual(
      heapOf(t.at(4), 10),
      dict([[1, 'one'], [{ sp: 'str', v: 'lo', len: 2000 }, 'LONG'], ['1', 'string one']]),
    );
  });

  test('dict keys that are references match by id, not by content', () => {
    const t = new TraceState().apply([
      step(0, '<module>', 0, {
        kf: {
          stack: [fr(1, '<module>', [['d', r(10)], ['p', r(20)], ['q', r(21)]])],
          heap: [
            [10, dict([[r(20), 'p']])],
            [20, { k: 'tuple', items: [0, 1], len: 2 }],
            [21, { k: 'tuple', items: [0, 1], len: 2 }],
          ],
        },
      }),
      step(1, '<module>', 0, { upd: [[10, { set: [[r(20), 'P']] }]] }),
      step(2, '<module>', 0, { upd: [[10, { set: [[r(21), 'q']], len: 2 }]] }),
      step(3, '<module>', 0, { upd: [[10, { del: [r(20)], len: 1 }]] }),
    ]);
    assert.deepEqual(heapOf(t.at(1), 10), dict([[r(20), 'P']]));
    assert.deepEqual(heapOf(t.at(2), 10), dict([[r(20), 'P'], [r(21), 'q']]));
    assert.deepEqual(heapOf(t.at(3), 10), dict([[r(21), 'q']]));
    // Key objects are reachable through the dict.
    const only = reachable({ stack: [fr(1, '<module>', [['d', r(10)]])], heap: t.at(3).heap });
    assert.deepEqual([...only.heap.keys()], [10, 21]);
  });

  test('dict: cut entries when len shrinks under the view (a later key slides in)', () => {
    const entries: [Value, Value][] = [['a', 1], ['b', 2], ['c', 3]];
    // 5 keys, 3 shown; delete 'b': 'd' slides into view.
    const t = withObj(dict(entries, 5), [{ set: [['d', 4]], del: ['b'], len: 4 }], 3);
    assert.deepEqual(heapOf(t.at(1), 10), dict([['a', 1], ['c', 3], ['d', 4]], 4));
  });

  test('object: fields by name, in order; del; len', () => {
    const t = withObj(obj('Node', [['val', 1], ['next', null]]), [
      { set: [['next', r(10)]] },
      { set: [['extra', true]], len: 3 },
      { del: ['val'], len: 2 },
    ]);
    assert.deepEqual(heapOf(t.at(1), 10), obj('Node', [['val', 1], ['next', r(10)]]));
    assert.deepEqual(heapOf(t.at(2), 10), obj('Node', [['val', 1], ['next', r(10)], ['extra', true]]));
    assert.deepEqual(heapOf(t.at(3), 10), obj('Node', [['next', r(10)], ['extra', true]]));
    assert.throws(() => withObj(obj('N', []), [{ set: [[1, 2]] }]).at(1), /field name 1 is not a string/);
  });

  test('tuple patches by index like a list', () => {
    const t = withObj({ k: 'tuple', items: [1, 2], len: 2 }, [{ set: [[0, 'x']] }]);
    assert.deepEqual(heapOf(t.at(1), 10), { k: 'tuple', items: ['x', 2], len: 2 });
  });

  test('{full} replaces; sets, functions, classes and others only change by {full}', () => {
    const t = withObj({ k: 'set', items: [1, 2], len: 2 }, [{ full: { k: 'set', items: [1, 2, 3], len: 3 } }]);
    assert.deepEqual(heapOf(t.at(1), 10), { k: 'set', items: [1, 2, 3], len: 3 });
    // full wins over diff fields sent alongside it
    const both = withObj(list([1]), [{ full: list([7]), set: [[0, 9]] }]);
    assert.deepEqual(heapOf(both.at(1), 10), list([7]));
    for (const o of [
      { k: 'set', items: [], len: 0 },
      { k: 'function', name: 'f', line: 1 },
      { k: 'class', name: 'C' },
      { k: 'other', cls: 'range', repr: 'range(0, 3)' },
    ] as HeapObj[]) {
      assert.throws(() => withObj(o, [{ len: 1 }]).at(1), /changes only by \{full\}/);
    }
  });

  test('upd of an unknown object is an error', () => {
    assert.throws(() => new TraceState().apply([start(), step(1, '<module>', 0, { upd: [[99, { len: 0 }]] })]).at(1), /unknown object 99/);
  });

  test('within a step: new before upd before set, free last', () => {
    const t = new TraceState({ verify: true }).apply([
      start(),
      step(1, 'f', 1, { ev: 'call', push: [fr(2, 'f')] }),
      step(2, '<module>', 0, {
        pop: 1,
        push: [], // an empty push is a no-op
        new: [[11, list([])], [12, obj('Tmp', [])]],
        upd: [[11, { set: [[0, 'first']], len: 1 }]],
        set: [[1, 'b', r(11)], [1, 'tmp', r(12)]],
        del: [[1, 'tmp']],
        free: [12, 10],
      }),
    ]);
    const s = t.at(2);
    assert.deepEqual(vars(s), [['a', r(10)], ['b', r(11)]]);
    assert.deepEqual(heapOf(s, 11), list(['first']));
    assert.equal(s.heap.has(12), false);
    // free is advisory: a freed object still referenced shows up as missing.
    assert.equal(s.heap.has(10), false);
    assert.deepEqual(reachable(s).missing, [10]);
  });
});

// ---- aliasing, cycles, reachability -------------------------------------------------------

describe('aliasing and reachability', () => {
  test('two variables holding one object both see a mutation', () => {
    const t = new TraceState().apply([
      start(),
      step(1, '<module>', 0, { set: [[1, 'b', r(10)]] }), // b = a
      step(2, '<module>', 0, { upd: [[10, { set: [[3, 4]], len: 4 }]] }), // b.append(4)
      step(3, '<module>', 0, { new: [[11, list([1, 2, 3, 4])]], set: [[1, 'c', r(11)]] }), // c = b[:]
    ]);
    const s = t.at(3);
    const [a, b] = [vars(s)[0][1], vars(s)[1][1]] as { r: number }[];
    assert.equal(a.r, b.r);
    assert.deepEqual(heapOf(s, a.r), list([1, 2, 3, 4]));
    const c = canonical(s);
    assert.deepEqual(c.heap.map(([id]) => id), [10, 11]);
    // Renumbered: a and b share object 0, c is object 1.
    assert.deepEqual(canonical(s, { renumber: true }).stack[0].vars, [['a', r(0)], ['b', r(0)], ['c', r(1)]]);
  });

  test('cycles: reachable terminates and includes each object once', () => {
    const t = new TraceState().apply(
      step(0, '<module>', 0, {
        kf: {
          stack: [fr(1, '<module>', [['head', r(10)]])],
          heap: [
            [10, obj('Node', [['val', 1], ['next', r(11)]])],
            [11, obj('Node', [['val', 2], ['next', r(12)]])],
            [12, obj('Node', [['val', 3], ['next', r(10)]])],
            [13, list([r(13)])], // a self-referential list nobody holds
          ],
        },
      }),
    );
    const rs = reachable(t.at(0));
    assert.deepEqual([...rs.heap.keys()], [10, 11, 12]);
    assert.deepEqual(rs.missing, []);
  });

  test('reachable follows items, entries (keys and values) and fields, transitively, and only from vars', () => {
    const heap: [number, HeapObj][] = [
      [1, list([r(2)])],
      [2, dict([[r(3), r(4)]])],
      [3, { k: 'tuple', items: [r(5)], len: 1 }],
      [4, obj('X', [['f', r(6)]])],
      [5, { k: 'set', items: [7], len: 1 }],
      [6, { k: 'function', name: 'g', line: 3 }],
      [7, list([])], // unreachable
      [8, list([])], // referenced only by the step's ret
    ];
    const rs = reachable({ stack: [fr(1, '<module>', [['x', r(1)], ['n', 5]])], heap });
    assert.deepEqual([...rs.heap.keys()], [1, 2, 3, 4, 5, 6]);
    const withRet = reachable({ stack: [fr(1, '<module>', [['x', r(1)]])], heap }, { extraRoots: [r(8)] });
    assert.ok(withRet.heap.has(8));
  });
});

// ---- canonical -----------------------------------------------------------------------------

describe('canonical', () => {
  test('JSON-comparable: fixed key order, no undefined members, heap sorted by id', () => {
    const a = canonical({
      stack: [{ vars: [['f', r(9)], ['x', r(3)]], fn: '<module>', id: 1 }],
      heap: new Map<number, HeapObj>([
        [9, { name: 'f', k: 'function', line: undefined } as unknown as HeapObj],
        [3, { len: 1, items: [{ len: 9, v: 'ab', sp: 'str' }], k: 'list' } as HeapObj],
      ]),
    });
    const b = canonical({
      stack: [fr(1, '<module>', [['f', r(9)], ['x', r(3)]])],
      heap: [
        [3, list([{ sp: 'str', v: 'ab', len: 9 }])],
        [9, { k: 'function', name: 'f' }],
      ],
    });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(a.heap.map(([id]) => id), [3, 9]);
  });

  test('unreachable objects do not matter; reachable differences do', () => {
    const stack = [fr(1, '<module>', [['x', r(3)]])];
    const base = canonical({ stack, heap: [[3, list([1])]] });
    assert.deepEqual(canonical({ stack, heap: [[3, list([1])], [4, list([2])]] }), base);
    assert.notDeepEqual(canonical({ stack, heap: [[3, list([2])]] }), base);
    assert.notDeepEqual(canonical({ stack, heap: [[3, list([1], 2)]] }), base);
    // A dangling reference is visible.
    assert.deepEqual(canonical({ stack, heap: [] }).heap, [[3, null]]);
  });

  test('renumber makes isomorphic states equal but keeps aliasing and frame order significant', () => {
    const s1 = {
      stack: [fr(7, '<module>', [['a', r(100)], ['b', r(100)]]), fr(9, 'f', [['c', r(200)]])],
      heap: [
        [100, list([r(200)])],
        [200, obj('N', [['self', r(200)]])],
      ] as [number, HeapObj][],
    };
    const s2 = {
      stack: [fr(1, '<module>', [['a', r(5)], ['b', r(5)]]), fr(2, 'f', [['c', r(6)]])],
      heap: [
        [6, obj('N', [['self', r(6)]])],
        [5, list([r(6)])],
      ] as [number, HeapObj][],
    };
    assert.notDeepEqual(canonical(s1), canonical(s2));
    assert.deepEqual(canonical(s1, { renumber: true }), canonical(s2, { renumber: true }));
    // b is a copy instead of an alias: not equal any more.
    const s3 = { ...s2, stack: [fr(1, '<module>', [['a', r(5)], ['b', r(8)]]), s2.stack[1]], heap: [...s2.heap, [8, list([r(6)])] as [number, HeapObj]] };
    assert.notDeepEqual(canonical(s1, { renumber: true }), canonical(s3, { renumber: true }));
  });
});

describe('valueEquals', () => {
  test('deep equality of Values', () => {
    assert.ok(valueEquals(1, 1));
    assert.ok(!valueEquals(1, '1'));
    assert.ok(!valueEquals(null, { sp: 'undefined' }));
    assert.ok(valueEquals({ r: 3 }, { r: 3 }));
    assert.ok(!valueEquals({ r: 3 }, { r: 4 }));
    assert.ok(!valueEquals({ r: 3 }, { sp: 'nan' }));
    assert.ok(valueEquals({ sp: 'str', v: 'ab', len: 9 }, { sp: 'str', v: 'ab', len: 9 }));
    assert.ok(!valueEquals({ sp: 'str', v: 'ab', len: 9 }, { sp: 'str', v: 'ab', len: 10 }));
    assert.ok(!valueEquals({ sp: 'bigint', v: '1' }, { sp: 'bigint', v: '2' }));
    assert.ok(valueEquals({ sp: 'inf' }, { sp: 'inf' }));
    assert.ok(!valueEquals({ sp: 'inf' }, { sp: '-inf' }));
  });
});

// ---- seeking and sharing ---------------------------------------------------------------------

describe('seek', () => {
  test('snapshots are not changed by later replay, and step data is never mutated', () => {
    const steps = [
      start(),
      step(1, '<module>', 0, { upd: [[10, { set: [[0, 'x']] }]] }),
      step(2, '<module>', 0, { upd: [[10, { set: [[1, 'y']] }]], set: [[1, 'b', 2]] }),
      step(3, '<module>', 0, { upd: [[10, { len: 0 }]], set: [[1, 'b', 3]] }),
    ];
    const before = JSON.stringify(steps);
    const t = new TraceState({ checkpointEvery: 1 }).apply(steps);
    const s1 = t.at(1);
    const s1Plain = plain(s1);
    t.at(3);
    t.at(2);
    t.at(0);
    t.at(3);
    assert.deepEqual(plain(s1), s1Plain);
    assert.deepEqual(plain(t.at(1)), s1Plain);
    assert.equal(JSON.stringify(steps), before);
    assert.deepEqual(heapOf(t.at(0), 10), list([1, 2, 3]));
  });

  test('a bad delta throws and leaves earlier steps seekable', () => {
    const t = new TraceState().apply([
      start(),
      step(1, '<module>', 0, { set: [[1, 'x', 1]] }),
      // The set lands before the del fails: the cursor's state is then half-applied.
      step(2, '<module>', 0, { set: [[1, 'x', 99]], del: [[1, 'nope']] }),
      step(3, '<module>', 0, { set: [[1, 'y', 1]] }),
    ]);
    assert.deepEqual(vars(t.at(1)), [['a', r(10)], ['x', 1]]);
    assert.throws(() => t.at(3), TraceError);
    assert.deepEqual(vars(t.at(1)), [['a', r(10)], ['x', 1]]);
    assert.throws(() => t.at(2), TraceError);
    assert.deepEqual(vars(t.at(1)), [['a', r(10)], ['x', 1]]);
    assert.deepEqual(vars(t.at(0)), [['a', r(10)]]);
  });

  test('seeking forward and backward across several keyframes matches sequential replay', () => {
    // A counter loop: x counts up, a list grows, with keyframes every 50 steps.
    const N = 400;
    const steps: Step[] = [];
    const expected: ReturnType<typeof plain>[] = [];
    const items: number[] = [];
    for (let i = 0; i < N; i++) {
      let s: Step;
      if (i % 7 === 3) items.push(i);
      const vs: [string, Value][] = [['x', i], ['xs', r(10)]];
      const heap: [number, HeapObj][] = [[10, list(items.slice(0, 100), items.length)]];
      if (i % 50 === 0) s = step(i, '<module>', 0, { kf: { stack: [fr(1, '<module>', vs)], heap } });
      else {
        s = step(i, '<module>', 0, { set: [[1, 'x', i]] });
        if (i % 7 === 3) s.upd = [[10, items.length <= 100 ? { set: [[items.length - 1, i]], len: items.length } : { len: items.length }]];
      }
      steps.push(s);
      expected.push(plain({ stack: [fr(1, '<module>', vs)], heap: new Map(heap) }));
    }
    const t = new TraceState({ checkpointEvery: 16, maxCheckpoints: 4 }).apply(steps);
    const order = [399, 0, 398, 1, 250, 249, 251, 100, 99, 50, 49, 51, 300, 150, 399, 17, 16, 15, 14, 13];
    for (const i of order) sameState(plain(t.at(i)), expected[i], `step ${i}`);
    for (let i = N - 1; i >= 0; i--) sameState(plain(t.at(i)), expected[i], `backward ${i}`);
  });
});

// ---- random property tests -------------------------------------------------------------------

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

type TrueObj =
  | { k: 'list' | 'tuple' | 'set'; items: Value[] }
  | { k: 'dict'; entries: [Value, Value][] }
  | { k: 'object'; cls: string; fields: [string, Value][] }
  | { k: 'function'; name: string; line: number };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A toy program and tracer: random mutations of frames and true (untruncated) objects;
 * each step's delta is computed by diffing truncated views, the way a tracer would, and
 * the expected full state is recorded beside it.
 */
class Sim {
  readonly rnd: () => number;
  nextObj = 100;
  nextFrame = 2;
  stack: Frame[] = [fr(1, '<module>')];
  objs = new Map<number, TrueObj>();
  pendingPop = 0;
  prev: { stack: Frame[]; heap: Map<number, HeapObj> } = { stack: [], heap: new Map() };
  readonly deltaSteps: Step[] = [];
  readonly fullSteps: Step[] = [];
  readonly expected: ReturnType<typeof plain>[] = [];

  constructor(
    seed: number,
    readonly maxItems: number,
    readonly keyEvery: number,
  ) {
    this.rnd = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  idsOf(...kinds: TrueObj['k'][]): number[] {
    return [...this.objs].filter(([, o]) => kinds.includes(o.k)).map(([id]) => id);
  }
  value(): Value {
    const p = this.rnd();
    if (p < 0.3) return this.int(20) - 5;
    if (p < 0.42) return this.pick(['s', 'hello', '', 'x y']);
    if (p < 0.47) return { sp: 'str', v: 'abc', len: 3000 + this.int(3) };
    if (p < 0.52) return this.pick([null, true, false]);
    if (p < 0.55) return this.pick<Value>([{ sp: 'nan' }, { sp: 'inf' }, { sp: 'bigint', v: '99999999999999999999' }]);
    if (p < 0.6 || this.objs.size === 0) return { r: this.create() };
    return { r: this.pick([...this.objs.keys()]) };
  }
  key(): Value {
    const tuples = this.idsOf('tuple');
    if (tuples.length && this.rnd() < 0.3) return { r: this.pick(tuples) };
    return this.rnd() < 0.5 ? this.int(8) : this.pick(['a', 'b', 'c', 'd', 'e', 'f']);
  }
  create(): number {
    const id = this.nextObj++;
    const kind = this.pick(['list', 'list', 'dict', 'object', 'tuple', 'set', 'function'] as const);
    const n = this.int(this.maxItems + 3);
    const prims = () => Array.from({ length: n }, () => this.int(50) as Value);
    let o: TrueObj;
    if (kind === 'list' || kind === 'set') o = { k: kind, items: prims() };
    else if (kind === 'tuple') {
      const lists = this.idsOf('list');
      o = { k: 'tuple', items: [this.int(9), lists.length ? { r: this.pick(lists) } : 'none'] };
    } else if (kind === 'dict') o = { k: 'dict', entries: Array.from({ length: n }, (_, j): [Value, Value] => [`k${j}`, j]) };
    else if (kind === 'object') o = { k: 'object', cls: 'C', fields: [] };
    else o = { k: 'function', name: 'fn' + id, line: id };
    this.objs.set(id, o);
    return id;
  }

  view(o: TrueObj): HeapObj {
    const m = this.maxItems;
    switch (o.k) {
      case 'list':
      case 'tuple':
      case 'set':
        return { k: o.k, items: o.items.slice(0, m), len: o.items.length };
      case 'dict':
        return { k: 'dict', entries: o.entries.slice(0, m).map(([a, b]): [Value, Value] => [a, b]), len: o.entries.length };
      case 'object':
        return { k: 'object', cls: o.cls, fields: o.fields.slice(0, m).map(([a, b]): [string, Value] => [a, b]), len: o.fields.length };
      case 'function':
        return { k: 'function', name: o.name, line: o.line };
    }
  }

  state(): { stack: Frame[]; heap: Map<number, HeapObj> } {
    return {
      stack: this.stack.map((f) => fr(f.id, f.fn, f.vars.map(([n, v]): [string, Value] => [n, v]))),
      heap: new Map([...this.objs].map(([id, o]) => [id, this.view(o)])),
    };
  }

  mutate(deletedVars: Set<string>): void {
    const p = this.rnd();
    const lists = this.idsOf('list');
    const dicts = this.idsOf('dict');
    const objects = this.idsOf('object');
    const sets = this.idsOf('set');
    if (p < 0.22) {
      // Any frame, not only the top one (globals, nonlocals).
      const f = this.pick(this.stack);
      const name = this.pick(['a', 'b', 'c', 'd', 'e']);
      // Re-creating a variable deleted in this same step would move it last, which no set/del can express.
      if (deletedVars.has(`${f.id}:${name}`)) return;
      const v = this.value();
      const k = f.vars.findIndex(([n]) => n === name);
      if (k < 0) f.vars.push([name, v]);
      else f.vars[k] = [name, v];
    } else if (p < 0.28) {
      const f = this.pick(this.stack);
      if (f.vars.length === 0) return;
      const k = this.int(f.vars.length);
      deletedVars.add(`${f.id}:${f.vars[k][0]}`);
      f.vars.splice(k, 1);
    } else if (p < 0.5 && lists.length) {
      const l = this.objs.get(this.pick(lists)) as { items: Value[] };
      const q = this.int(6);
      if (q === 0) l.items.push(this.value());
      else if (q === 1 && l.items.length) l.items[this.int(l.items.length)] = this.value();
      else if (q === 2 && l.items.length) l.items.splice(this.int(l.items.length), 1);
      else if (q === 3) l.items.splice(this.int(l.items.length + 1), 0, this.value());
      else if (q === 4) l.items.splice(this.int(2));
      else for (let j = this.int(this.maxItems * 2); j > 0; j--) l.items.push(j);
      // Keep true lengths around the view size: long enough to truncate, short enough to stay fast.
      if (l.items.length > 3 * this.maxItems + 4) l.items.splice(0, this.maxItems);
    } else if (p < 0.65 && dicts.length) {
      const d = this.objs.get(this.pick(dicts)) as { entries: [Value, Value][] };
      const key = this.key();
      const k = d.entries.findIndex(([kk]) => same(kk, key));
      if (this.rnd() < 0.35) {
        if (k >= 0) d.entries.splice(k, 1);
      } else if (k >= 0) d.entries[k] = [d.entries[k][0], this.value()];
      else d.entries.push([key, this.value()]);
    } else if (p < 0.75 && objects.length) {
      const o = this.objs.get(this.pick(objects)) as { fields: [string, Value][] };
      const name = this.pick(['val', 'next', 'left', 'right', 'x', 'y', 'z']);
      const k = o.fields.findIndex(([n]) => n === name);
      if (this.rnd() < 0.3) {
        if (k >= 0) o.fields.splice(k, 1);
      } else if (k >= 0) o.fields[k] = [name, this.value()];
      else o.fields.push([name, this.value()]);
    } else if (p < 0.8 && sets.length) {
      const s = this.objs.get(this.pick(sets)) as { items: Value[] };
      if (this.rnd() < 0.5) s.items.push(this.int(100));
      else s.items.shift();
    } else if (p < 0.9) {
      const id = this.create();
      const target = lists.length && this.rnd() < 0.4 ? (this.objs.get(this.pick(lists)) as { items: Value[] }) : null;
      if (target) target.items.push({ r: id });
      else {
        const f = this.stack[this.stack.length - 1];
        f.vars.push([`t${id}`, { r: id }]);
      }
    }
  }

  /** Reachable ids from the stack in the true state (for freeing garbage). */
  reachableIds(): Set<number> {
    const seen = new Set<number>();
    const todo: number[] = [];
    const see = (v: Value) => {
      if (typeof v === 'object' && v !== null && 'r' in v && !seen.has(v.r)) {
        seen.add(v.r);
        todo.push(v.r);
      }
    };
    for (const f of this.stack) for (const [, v] of f.vars) see(v);
    while (todo.length) {
      const o = this.objs.get(todo.pop() as number);
      if (!o) continue;
      if (o.k === 'dict') for (const [a, b] of o.entries) (see(a), see(b));
      else if (o.k === 'object') for (const [, b] of o.fields) see(b);
      else if (o.k !== 'function') o.items.forEach(see);
    }
    return seen;
  }

  run(n: number): void {
    for (let i = 0; i < n; i++) {
      let ev: Step['ev'] = 'line';
      const extra: Extra = {};
      if (this.pendingPop) {
        this.stack.length -= this.pendingPop;
        this.pendingPop = 0;
      }
      const p = this.rnd();
      const depth = this.stack.length - 1;
      if (p < 0.08 && depth < 6) {
        ev = 'call';
        this.stack.push(fr(this.nextFrame++, this.pick(['f', 'g', 'h']), [['arg', this.value()]]));
      } else if (p < 0.14 && depth > 0) {
        ev = 'return';
        extra.ret = this.value();
        this.pendingPop = 1;
      } else if (p < 0.16 && depth > 0) {
        ev = 'exception';
        extra.exc = { type: 'E', message: 'boom' };
        this.pendingPop = 1 + this.int(depth);
      } else {
        const deleted = new Set<string>();
        for (let m = 1 + this.int(3); m > 0; m--) this.mutate(deleted);
      }
      // Garbage: the tracer frees some unreachable objects, keeps others for a while.
      const live = this.reachableIds();
      const free: number[] = [];
      for (const id of this.objs.keys()) if (!live.has(id) && this.rnd() < 0.5) free.push(id);
      for (const id of free) this.objs.delete(id);

      const cur = this.state();
      const top = cur.stack[cur.stack.length - 1];
      const head = { i, ev, line: 1 + this.int(30), fn: top.fn, depth: cur.stack.length - 1, ...extra };
      const kf = { stack: cur.stack, heap: [...cur.heap] };
      this.fullSteps.push({ ...head, kf });
      this.deltaSteps.push(i % this.keyEvery === 0 ? { ...head, kf } : { ...head, ...this.diff(this.prev, cur, free) });
      this.expected.push(plain(cur));
      this.prev = cur;
    }
  }

  diff(prev: Sim['prev'], cur: Sim['prev'], free: number[]): Extra {
    const d: Extra = {};
    let common = 0;
    while (common < prev.stack.length && common < cur.stack.length && prev.stack[common].id === cur.stack[common].id) common++;
    if (prev.stack.length > common) d.pop = prev.stack.length - common;
    if (cur.stack.length > common) d.push = cur.stack.slice(common);
    const set: [number, string, Value][] = [];
    const del: [number, string][] = [];
    for (let k = 0; k < common; k++) {
      const [a, b] = [prev.stack[k], cur.stack[k]];
      for (const [n, v] of b.vars) {
        const old = a.vars.find(([m]) => m === n);
        if (!old || !same(old[1], v)) set.push([b.id, n, v]);
      }
      for (const [n] of a.vars) if (!b.vars.some(([m]) => m === n)) del.push([a.id, n]);
    }
    if (set.length) d.set = set;
    if (del.length) d.del = del;
    const nw: [number, HeapObj][] = [];
    const upd: [number, Patch][] = [];
    for (const [id, o] of cur.heap) {
      const old = prev.heap.get(id);
      if (!old) nw.push([id, o]);
      else if (!same(old, o)) upd.push([id, this.patch(old, o)]);
    }
    if (nw.length) d.new = nw;
    if (upd.length) d.upd = upd;
    if (free.length) d.free = free;
    return d;
  }

  patch(old: HeapObj, o: HeapObj): Patch {
    if (this.rnd() < 0.1) return { full: o };
    const len = old.k !== 'function' && o.k !== 'function' && (old as { len: number }).len !== (o as { len: number }).len ? { len: (o as { len: number }).len } : {};
    if ((o.k === 'list' || o.k === 'tuple') && old.k === o.k) {
      const [a, b] = [old.items, o.items];
      // A removal at k (maybe sliding a hidden item into view) as {del}, half the time.
      let k = 0;
      while (k < a.length && k < b.length && same(a[k], b[k])) k++;
      const removal = b.length === a.length - 1 || (b.length === a.length && 'len' in len);
      if (removal && k < a.length && this.rnd() < 0.5 && same(b.slice(k, a.length - 1), a.slice(k + 1))) {
        const slid = b.length === a.length ? { set: [[a.length, b[a.length - 1]]] as [Value, Value][] } : {};
        return { ...slid, del: [k], ...len };
      }
      const set: [Value, Value][] = [];
      for (let j = 0; j < b.length; j++) if (j >= a.length || !same(a[j], b[j])) set.push([j, b[j]]);
      return { ...(set.length ? { set } : {}), ...len };
    }
    if ((o.k === 'dict' && old.k === 'dict') || (o.k === 'object' && old.k === 'object')) {
      const a: [Value, Value][] = o.k === 'dict' ? (old as { entries: [Value, Value][] }).entries : (old as { fields: [string, Value][] }).fields;
      const b: [Value, Value][] = o.k === 'dict' ? o.entries : o.fields;
      const has = (xs: [Value, Value][], key: Value) => xs.some(([kk]) => same(kk, key));
      const set = b.filter(([kk, v]) => !a.some(([k2, v2]) => same(kk, k2) && same(v, v2)));
      const del = a.filter(([kk]) => !has(b, kk)).map(([kk]) => kk);
      // set/del can only keep surviving keys in place and append new ones: else {full}.
      const order = [...a.filter(([kk]) => has(b, kk)), ...b.filter(([kk]) => !has(a, kk))].map(([kk]) => kk);
      if (!same(order, b.map(([kk]) => kk))) return { full: o };
      return { ...(set.length ? { set } : {}), ...(del.length ? { del } : {}), ...len };
    }
    return { full: o };
  }
}

describe('random traces', () => {
  const seeds = Array.from({ length: 30 }, (_, k) => 1000 + k);
  const sims = new Map<number, Sim>();
  /** Varied truncation (maxItems 1..6) and keyframe spacing (5..125); memoized across tests. */
  const simFor = (seed: number): Sim => {
    let sim = sims.get(seed);
    if (!sim) {
      sim = new Sim(seed, 1 + (seed % 6), 5 + (seed % 4) * 40);
      sim.run(300);
      sims.set(seed, sim);
    }
    return sim;
  };
  test('seek(i) in random order equals the state the program had at step i', () => {
    for (const seed of seeds) {
      const sim = simFor(seed);
      // Every generated step is valid on the wire.
      for (const s of sim.deltaSteps) { const res = StepSchema.safeParse(s); assert.ok(res.success, `seed ${seed}: ${JSON.stringify(s)}`); }
      const t = new TraceState({ maxItems: sim.maxItems, checkpointEvery: 1 + (seed % 9), maxCheckpoints: 1 + (seed % 5), verify: true });
      t.apply(sim.deltaSteps);
      const rnd = mulberry32(seed * 7);
      for (let q = 0; q < 200; q++) {
        const i = rnd() < 0.3 ? Math.max(0, Math.min(299, q + Math.floor(rnd() * 5) - 2)) : Math.floor(rnd() * 300);
        sameState(plain(t.at(i)), sim.expected[i], `seed ${seed}, step ${i}`);
      }
    }
  });

  test('sequential application (steps arriving in batches) equals the program state', () => {
    for (const seed of seeds) {
      const sim = new Sim(seed, 1 + (seed % 6), 1000);
      sim.run(300);
      const t = new TraceState({ maxItems: sim.maxItems });
      for (let b = 0; b < 300; b += 37) {
        t.apply({ t: 'steps', steps: sim.deltaSteps.slice(b, b + 37) });
        const last = Math.min(b + 37, 300) - 1;
        for (let i = b; i <= last; i++) sameState(plain(t.at(i)), sim.expected[i], `seed ${seed}, step ${i}`);
      }
    }
  });

  test('delta replay equals the full-mode keyframes at every step (canonical, reachable part)', () => {
    for (const seed of seeds.slice(0, 12)) {
      const sim = new Sim(seed, 3, 64);
      sim.run(250);
      const delta = new TraceState({ maxItems: 3 }).apply(sim.deltaSteps);
      const full = new TraceState({ maxItems: 3 }).apply(sim.fullSteps);
      for (let i = 0; i < 250; i++) {
        const kf = sim.fullSteps[i].kf!;
        sameState(canonical(delta.at(i)), canonical(kf), `seed ${seed}, step ${i}`);
        sameState(canonical(full.at(i)), canonical(kf), `full, seed ${seed}, step ${i}`);
        sameState(canonical(delta.at(i), { renumber: true }), canonical(kf, { renumber: true }), `renumbered, seed ${seed}, step ${i}`);
      }
    }
  });

  test('the random traces exercise what they are meant to', () => {
    // Guards the property tests against a generator that silently stops producing cases.
    const count = { pop: 0, push: 0, upd: 0, del: 0, free: 0, listDel: 0, full: 0, trunc: 0, refKey: 0 };
    for (const seed of seeds) {
      const sim = simFor(seed);
      for (const s of sim.deltaSteps) {
        if (s.pop) count.pop++;
        if (s.push) count.push++;
        if (s.del) count.del++;
        if (s.free) count.free++;
        for (const [, p] of s.upd ?? []) {
          count.upd++;
          if (p.full) count.full++;
          if (p.del?.some((k) => typeof k === 'number')) count.listDel++;
          if (p.set?.some(([k]) => typeof k === 'object' && k !== null && 'r' in k)) count.refKey++;
        }
        for (const [, o] of s.new ?? []) if ('len' in o && 'items' in o && o.len > o.items.length) count.trunc++;
      }
    }
    for (const [k, n] of Object.entries(count)) assert.ok(n >= 5, `${k}: only ${n}`);
  });
});
