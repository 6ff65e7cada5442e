/**
 * The JavaScript tracer traces a warm-up program before it says hello, with the runtime that then serves the job
 * (tracer.mjs, "ready"). Nothing of that run may show in the job's trace: step indexes, frame and object ids start
 * afresh, no warm-up frame, object or output appears, and names the warm-up also used mean nothing special.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceInSandbox, tracedEnd, tracedSteps } from '../support/trace.ts';

// `total`, `counts` and `text` are names the warm-up program uses too; `half` is not, so a header cached for the
// warm-up's first function (its fib) would show here under the wrong name.
const PROGRAM = `const counts = [3, 1, 2];
function half(n) { return n < 2 ? n : half(n - 1) + half(n - 2); }
let total = half(2);
const text = 'x' + total;
`;
// (the last line's assignment has no step after it to show it)

describe('javascript: the warm-up leaves nothing in the job', () => {
  it('starts the job from step 0, frame 1 and object 1, with only its own state', async () => {
    const frames = await traceInSandbox('javascript', PROGRAM);
    const steps = tracedSteps(frames);
    const end = tracedEnd(frames);
    assert.equal(end.status, 'ok', JSON.stringify(end));
    assert.equal(end.steps, steps.length);
    assert.deepEqual(steps.map((s) => s.i), steps.map((_, k) => k));
    assert.equal(frames.filter((f) => f.t === 'output').length, 0, 'no output');

    const [first] = steps;
    assert.equal(first.line, 1);
    // the hoisted function is object 1, in the module frame from the start
    assert.deepEqual(first.kf, { stack: [{ id: 1, fn: '<module>', vars: [['half', { r: 1 }]] }], heap: [[1, { k: 'function', name: 'half', line: 2 }]] });
    const created = steps.flatMap((s) => s.new ?? []).map(([id]) => id);
    assert.deepEqual(created, [2], 'the list');
    const pushed = steps.flatMap((s) => s.push ?? []).map((f) => [f.id, f.fn]);
    assert.deepEqual(pushed, [[2, 'half'], [3, 'half'], [4, 'half']]);
    assert.deepEqual([...new Set(steps.map((s) => s.fn))], ['<module>', 'half']);
    const last = steps[steps.length - 1];
    assert.equal(last.depth, 0);
    const sets = new Map(steps.flatMap((s) => s.set ?? []).map(([, name, v]) => [name, v]));
    assert.deepEqual(Object.fromEntries(sets), { counts: { r: 2 }, total: 1 });
  });
});
