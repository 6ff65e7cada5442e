/**
 * bench/lib/student.ts reads only the header of the `steps` frames it does not keep: for every frame the server
 * encodes (the runner's encode, the gateway's position stamp) it must name the same run a whole decode does, and
 * give null for every other frame, which the Student then decodes whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, withPosition } from '../../protocol/codec.ts';
import { stepsFrameRun } from '../../bench/lib/student.ts';

const stamp = (frame: Record<string, unknown>, pos: string) => Buffer.from(withPosition(encode(frame), pos));

describe('bench Student: a steps frame read from its header', () => {
  it('names the run of steps frames of every header shape', () => {
    const runs = ['r1', 'run-' + 'x'.repeat(40), 'ü-run-' + 'y'.repeat(300)];
    const firsts = [0, 100, 200, 65_535, 70_000, 4_000_000_000];
    for (const run of runs) {
      for (const first of firsts) {
        for (const vars of [undefined, [[0, 'k']]]) {
          const frame = { type: 'steps', session: 's-' + run, run, first, steps: [3, [4, 0, 1]], ...(vars ? { vars } : {}) };
          const bytes = stamp(frame, `${first}-0`);
          assert.equal(stepsFrameRun(bytes), (decode(bytes) as { run: string }).run, `run ${run.slice(0, 10)}…, first ${first}`);
        }
      }
    }
  });

  it('gives null for every other frame', () => {
    const others = [
      { type: 'run.started', session: 's', run: 'r', language: 'python', limits: { maxSteps: 1, timeoutMs: 1, memoryMb: 1, outputBytes: 1 }, code: 'steps' },
      { type: 'output', session: 's', run: 'r', stream: 'stdout', text: 'steps', step: 3 },
      { type: 'run.ended', session: 's', run: 'r', verdict: 'ok', wallMs: 3, peakMemKb: null, steps: 2 },
    ];
    for (const frame of others) assert.equal(stepsFrameRun(stamp(frame, '1-0')), null, frame.type);
    assert.equal(stepsFrameRun(Buffer.from(encode({ type: 'accepted', id: 'q1', run: 'r' }))), null);
  });
});
