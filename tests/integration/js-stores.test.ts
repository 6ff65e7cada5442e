/**
 * Member targets of destructuring assignments are stored by the JavaScript runtime (runtime.mjs, LV), not by the
 * learner's code: the stores must keep the language's rules — setters run, a sloppy store to a read-only property
 * does nothing, a strict one throws a TypeError of the learner's realm — and still show in the trace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step } from '../../protocol/trace.ts';
import { traceInSandbox, tracedEnd, tracedOutput, tracedSteps } from '../support/trace.ts';

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

// A swap statement is stored item by item while the realm's array iteration is untouched (instrument.mjs,
// genListAssign); once a program changes it, the destructuring runs, iterator and all.
const TAMPERING = `const a = [1, 2, 3];
[a[0], a[1]] = [a[1], a[0]];
console.log(a.join());
const it = Object.getPrototypeOf([][Symbol.iterator]());
let closed = 0;
it.return = function () { closed++; return {}; };
[a[0], a[1]] = [a[1], a[0]];
console.log(a.join(), closed);
delete it.return;
Array.prototype[Symbol.iterator] = function* () { yield 'X'; yield 'Y'; };
let p = 0, q = 0;
[p, q] = [1, 2];
[a[0], a[1]] = [7, 8];
console.log(p, q, a.join());
`;

/** Traces `code`, asserts that it ended ok, and returns what it printed and its steps. */
async function traceOk(code: string): Promise<{ out: string; steps: Step[] }> {
  const frames = await traceInSandbox('javascript', code);
  const end = tracedEnd(frames);
  assert.equal(end.status, 'ok', JSON.stringify(end));
  return { out: tracedOutput(frames), steps: tracedSteps(frames) };
}

describe('javascript: member stores in destructuring assignments', () => {
  it('swap statements follow the realm\'s array iteration: untouched, an iterator\'s return method, a replaced iterator', async () => {
    const { out, steps } = await traceOk(TAMPERING);
    assert.equal(out, '2,1,3\n1,2,3 1\nX Y X,Y,3\n');
    const sets = steps.flatMap((s) => s.set ?? []).filter(([, name]) => name === 'p' || name === 'q').map(([, name, v]) => `${name}=${v}`);
    assert.deepEqual(sets.slice(-2), ['p=X', 'q=Y']);
  });

  it('run setters, ignore read-only targets in sloppy code, throw a learner TypeError in strict code', async () => {
    const { out, steps } = await traceOk(PROGRAM);
    assert.equal(out, '3,2,1 1,2 set 5 true TypeError\n');
    // the swap shows in the trace as the list's items 0 and 2
    const upd = steps.flatMap((s) => s.upd ?? []);
    assert.ok(upd.some(([, p]) => JSON.stringify(p) === JSON.stringify({ set: [[0, 3], [2, 1]] })), JSON.stringify(upd));
  });
});
