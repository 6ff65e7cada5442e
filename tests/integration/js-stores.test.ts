/**
 * Member targets of destructuring assignments are stored by the JavaScript runtime (runtime.mjs, LV), not by the
 * learner's code: the stores must keep the language's rules — setters run, a sloppy store to a read-only property
 * does nothing, a strict one throws a TypeError of the learner's realm — and still show in the trace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step } from '../../protocol/trace.ts';
import { traceInSandbox } from '../support/trace.ts';

const PROGRAM = `const a = [1, 2, 3];
[a[0], a[2]] = [a[2], a[0]];
const frozen = Object.freeze([1, 2]);
[frozen[0]] = [9];
const log = [];
const obj = { set v(x) { log.push('set ' + x); } };
({ k: obj.v } = { k: 5 });
function strict() {
  'use strict';
  try {
    [frozen[1]] = [7];
  } catch (e) {
    return (e instanceof TypeError) + ' ' + e.name;
  }
  return 'no error';
}
console.log(a.join(','), frozen.join(','), log.join(';'), strict());
`;

describe('javascript: member stores in destructuring assignments', () => {
  it('run setters, ignore read-only targets in sloppy code, throw a learner TypeError in strict code', async () => {
    const frames = await traceInSandbox('javascript', PROGRAM);
    const end = frames.find((f) => f.t === 'end');
    assert.equal(end?.t === 'end' && end.status, 'ok', JSON.stringify(end));
    const out = frames.flatMap((f) => (f.t === 'output' ? [f.text] : [])).join('');
    assert.equal(out, '3,2,1 1,2 set 5 true TypeError\n');
    // the swap shows in the trace as the list's items 0 and 2
    const steps: Step[] = frames.flatMap((f) => (f.t === 'steps' ? f.steps : []));
    const upd = steps.flatMap((s) => s.upd ?? []);
    assert.ok(upd.some(([, p]) => JSON.stringify(p) === JSON.stringify({ set: [[0, 3], [2, 1]] })), JSON.stringify(upd));
  });
});
