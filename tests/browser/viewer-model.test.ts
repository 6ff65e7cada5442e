/** The viewer's model without a browser: what is shown at a step (output, viz arrays, narration), late joins, addresses, the benchmark curve. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitSeries, fitValue } from '../../server/benchmark/fit.ts';
import type { Step } from '../../protocol/index.ts';
import { parseRoute } from '../../web/src/model/links.ts';
import { RunModel, type FrameOf } from '../../web/src/model/run-model.ts';
import { narrate } from '../../web/src/model/text.ts';
import { outputAt, viewAt } from '../../web/src/model/view.ts';

const logged = { session: 's', run: 'r' };
let pos = 0;
const at = () => ({ ...logged, pos: `1-${pos++}` });

/** A run of `steps` (step 0 a keyframe of one frame), with output frames and, optionally, its end. */
function runOf(steps: Omit<Step, 'fn' | 'depth'>[], output: [number, string][] = [], ended = true): RunModel {
  const run = new RunModel('r', 's');
  run.apply({ type: 'run.started', ...at(), language: 'python', limits: { maxSteps: 1e6, timeoutMs: 1e4, memoryMb: 128, outputBytes: 1 << 20 }, code: 'x = 1\n' });
  run.apply({ type: 'steps', ...at(), first: 0, steps: steps.map((s) => ({ fn: '<module>', depth: 0, ...s })) });
  for (const [step, text] of output) run.apply({ type: 'output', ...at(), stream: 'stdout', text, step });
  if (ended) run.apply({ type: 'run.ended', ...at(), verdict: 'ok', wallMs: 5, peakMemKb: 1000, steps: steps.length } satisfies FrameOf<'run.ended'>);
  return run;
}

const kf = { stack: [{ id: 1, fn: '<module>', vars: [] }], heap: [] };

describe('viewer model', () => {
  it('shows output from the step after the line that printed it, and all of it at the end of a finished run', () => {
    const run = runOf(
      [{ i: 0, ev: 'line', line: 1, kf }, { i: 1, ev: 'line', line: 2 }, { i: 2, ev: 'line', line: 3 }],
      [[0, 'a\n'], [2, 'c\n']],
    );
    const text = (i: number) => outputAt(run, i).map((c) => c.text).join('');
    assert.equal(text(0), '');
    assert.equal(text(1), 'a\n');
    assert.equal(text(2), 'a\nc\n', 'the last line printed c and no step follows it');
  });

  it('folds viz calls into arrays with selected and patched cells, forwards and backwards', () => {
    const viz = (i: number, v: Step['viz']): Omit<Step, 'fn' | 'depth'> => ({ i, ev: 'viz', line: 1, viz: v });
    const run = runOf([
      { i: 0, ev: 'line', line: 1, kf },
      viz(1, { op: 'array', name: 'a', values: [5, 6, 7, 8] }),
      viz(2, { op: 'select', name: 'a', from: 1, to: 2 }),
      viz(3, { op: 'patch', name: 'a', index: 3, value: 'x' }),
      viz(4, { op: 'deselect', name: 'a', from: 2, to: 2 }),
      viz(5, { op: 'note', text: 'done' }),
    ]);
    const a = (i: number) => viewAt(run, i).viz.arrays[0];
    assert.deepEqual([...a(2).selected], [1, 2]);
    assert.deepEqual(a(5).values, [5, 6, 7, 'x']);
    assert.deepEqual([...a(5).patched], [3]);
    assert.deepEqual([...a(5).selected], [1]);
    assert.deepEqual([...a(2).patched], [], 'seeking back refolds');
    assert.deepEqual(viewAt(run, 5).viz.notes, [{ i: 5, text: 'done' }]);
    assert.equal(viewAt(run, 0).viz.arrays.length, 0);
  });

  it('narrates the line about to run and what the last line changed', () => {
    const run = runOf([
      { i: 0, ev: 'line', line: 1, kf },
      { i: 1, ev: 'line', line: 2, new: [[7, { k: 'list', items: [3, 1], len: 2 }]], set: [[1, 'xs', { r: 7 }], [1, 'n', 2]] },
      { i: 2, ev: 'line', line: 3, upd: [[7, { set: [[0, 1], [1, 3]] }]] },
    ]);
    assert.equal(narrate(viewAt(run, 1), 'python'), 'Line 2. xs = list of 2. n = 2.');
    assert.equal(narrate(viewAt(run, 2), 'python'), 'Line 3. xs changed.');
    assert.deepEqual([...viewAt(run, 2).changedKeys.get(7)!], ['0', '1']);
  });

  it('a late joiner whose log lost the run\'s start begins at the next keyframe', () => {
    const run = new RunModel('r', 's');
    run.apply({ type: 'steps', ...at(), first: 5, steps: [{ i: 5, ev: 'line', line: 2, fn: '<module>', depth: 0 }, { i: 6, ev: 'line', line: 3, fn: '<module>', depth: 0, kf }] });
    assert.equal(run.skippedSteps, 1);
    assert.equal(run.trace.first, 6);
    assert.equal(viewAt(run, 6).step.line, 3);
  });

  it('reads every page address', () => {
    const route = (u: string) => parseRoute(new URL(u, 'http://h'));
    assert.deepEqual(route('/'), { page: 'workbench' });
    assert.deepEqual(route('/s/k7qx3m'), { page: 'follow', code: 'K7QX3M' });
    assert.deepEqual(route('/r/V1StGXR8_Z5j#step=42'), { page: 'replay', run: 'V1StGXR8_Z5j', step: 42 });
    assert.deepEqual(route('/r/V1StGXR8_Z5j'), { page: 'replay', run: 'V1StGXR8_Z5j', step: null });
    assert.deepEqual(route('/embed?run=abc&step=3&autoplay=1&speed=25&controls=0'), {
      page: 'embed',
      options: { run: 'abc', session: null, step: 3, autoplay: true, speed: 25, controls: false },
    });
    assert.deepEqual(route('/embed?session=k7qx3m'), { page: 'embed', options: { run: null, session: 'K7QX3M', step: null, autoplay: false, speed: null, controls: true } });
    assert.deepEqual(route('/elsewhere'), { page: 'not_found' });
  });

  it("draws a benchmark's fitted curve through the values the fitter fitted", () => {
    for (const [cls, f] of [['O(n^2)', (n: number) => 3 + 2 * n * n], ['O(n log n)', (n: number) => 5 + n * Math.log(n)], ['O(2^n)', (n: number) => 2 ** n]] as const) {
      const ns = cls === 'O(2^n)' ? [10, 12, 14, 16, 18, 20] : [100, 200, 400, 800, 1600];
      const fit = fitSeries(ns.map((n) => ({ n, y: f(n) })));
      assert.equal(fit.best.cls, cls);
      for (const n of ns) assert.ok(Math.abs(fitValue(fit.best, n) / f(n) - 1) < 1e-6, `${cls} at ${n}`);
    }
  });
});
