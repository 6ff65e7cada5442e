/**
 * The JavaScript runtime writes its steps as UTF-8 straight into the frame (runtime.mjs: simpleStep, putStep,
 * putNumber): numbers must come out as valJ's text would, multi-byte text must be measured exactly against the 1 MiB
 * frame, and a step that cannot fit must end the run with every step before it delivered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceState } from '../../protocol/trace-state.ts';
import { traceInSandbox, tracedEnd, tracedSteps } from '../support/trace.ts';

describe('javascript: steps written into the frame', () => {
  it('writes numbers in variables and list items as JSON does, specials as markers', async () => {
    const values = ['0', '-0', '7', '-7', '2147483647', '-2147483647', '-2147483648', '2147483648', '-2147483649', '4294967296',
      '2 ** 53 + 2', '1e21', '1.5', '-0.25', '1e-7', 'NaN', 'Infinity', '-Infinity', '0.1 + 0.2'];
    const program = `const vals = [${values.join(', ')}];
const list = [0];
let v = 0;
for (let i = 0; i < vals.length; i++) {
  v = vals[i];
  list[0] = vals[i];
}
`;
    const frames = await traceInSandbox('javascript', program);
    const end = tracedEnd(frames);
    assert.equal(end.status, 'ok', JSON.stringify(end));
    const expected = values.map((src) => {
      const x = Number(eval(src));
      if (Number.isNaN(x)) return { sp: 'nan' };
      if (x === Infinity) return { sp: 'inf' };
      if (x === -Infinity) return { sp: '-inf' };
      return JSON.parse(JSON.stringify(x));
    });
    const steps = tracedSteps(frames);
    const setV = steps.flatMap((s) => (s.set ?? []).filter(([, name]) => name === 'v').map(([, , value]) => value));
    const listItems = steps.flatMap((s) => (s.upd ?? []).flatMap(([, p]) => (p.set ?? []).map(([, value]) => value)));
    // v is set to 0 where it is declared, then 0 and -0 are no change; list[0] likewise
    assert.deepEqual(setV, [0, ...expected.slice(2)], JSON.stringify(setV));
    assert.deepEqual(listItems.slice(-(expected.length - 2)), expected.slice(2), JSON.stringify(listItems));
  });

  it('fills frames near 1 MiB with multi-byte text without losing or splitting a step', async () => {
    // each step sets a 150,000-character string of 2- and 3-byte characters (~375 KB): two fit in a frame, not three
    const program = `let text = '';
for (let i = 0; i < 12; i++) {
  text = (i % 2 ? 'é' : '✓').repeat(150000) + i;
}
`;
    const frames = await traceInSandbox('javascript', program, { maxString: 200_000 });
    const end = tracedEnd(frames);
    assert.equal(end.status, 'ok', JSON.stringify(end));
    const steps = tracedSteps(frames);
    assert.equal(steps.length, end.steps);
    assert.ok(frames.filter((f) => f.t === 'steps').length >= 6, 'at most two of these steps fit in a frame');
    const texts = steps.flatMap((s) => (s.set ?? []).filter(([, name]) => name === 'text').map(([, , value]) => value));
    assert.equal(texts.length, 13, 'the declaration, then each iteration');
    texts.slice(1).forEach((t, i) => assert.equal(t, (i % 2 ? 'é' : '✓').repeat(150000) + i, `step text ${i}`));
  });

  it('keeps every swap when a swap\'s step is the one that no longer fits behind the frame\'s steps', async () => {
    // each round's first step sets a ~1 MB string; the steps after it (the loop's counter, p and two items of a) fill
    // the rest of that frame, and one of them finds too little room, at a different place in it each round: some
    // after storing an item (runtime.mjs, undoItems)
    const program = `const a = [];
for (let k = 0; k < 20; k++) a.push(k);
let big = '', p = 0;
for (let r = 0; r < 30; r++) {
  big = 'x'.repeat(1035000 + r * 13);
  for (let j = 0; j < 450; j++) {
    p = (j * 7 + r) % 19;
    [a[p], a[p + 1]] = [a[p + 1], a[p]];
  }
}
`;
    const swaps: number[] = [];
    for (let r = 0; r < 30; r++) for (let j = 0; j < 450; j++) swaps.push((j * 7 + r) % 19);
    const frames = await traceInSandbox('javascript', program, { maxString: 2_000_000, keyframeEvery: 1_000_000 });
    const end = tracedEnd(frames);
    assert.equal(end.status, 'ok', JSON.stringify(end));
    const steps = tracedSteps(frames);
    const state = new TraceState().apply(steps);
    const items = (i: number): unknown[] => {
      const snap = state.at(i);
      const ref = snap.stack[0].vars.find(([name]) => name === 'a')?.[1] as { r: number };
      return (snap.heap.get(ref.r) as { items: unknown[] }).items;
    };
    // the list as the trace shows it at the step after each swap (line 8), against the program's own
    const list = Array.from({ length: 20 }, (_, k) => k);
    let done = 0;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i - 1].line !== 8) continue;
      const p = swaps[done++];
      [list[p], list[p + 1]] = [list[p + 1], list[p]];
      assert.deepEqual(items(i), list, `after swap ${done} (step ${i})`);
    }
    assert.equal(done, swaps.length);
  });

  it('ends with a TracerError when one step cannot fit in a frame, every step before it delivered', async () => {
    const program = `let a = 1;
a = 2;
const big = 'é'.repeat(600000);
a = 3;
`;
    const frames = await traceInSandbox('javascript', program, { maxString: 1_000_000 });
    const end = tracedEnd(frames);
    assert.ok(end.status === 'error' && end.error?.type === 'TracerError', JSON.stringify(end));
    assert.match(end.error!.message, /does not fit in a 1 MiB frame/);
    const steps = tracedSteps(frames);
    assert.equal(steps.length, end.steps);
    assert.ok(steps.some((s) => (s.set ?? []).some(([, name, value]) => name === 'a' && value === 2)), 'the steps before it arrive');
  });
});
