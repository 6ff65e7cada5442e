/**
 * The runner's Appender (server/runner/appender.ts) against the in-process session log: frames land in the order
 * they were pushed, what piles up during one append goes out as the next batch, flush waits for all of it, and a
 * failing log stops it with the first failure (nothing appended after). No Docker, Redis or server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLog } from '../../server/log/log-memory.ts';
import { START, type SessionLog } from '../../server/log/log.ts';
import { Appender } from '../../server/runner/appender.ts';

const frame = (k: number) => new TextEncoder().encode(`frame ${k}`);
const text = (f: Uint8Array) => new TextDecoder().decode(f);

describe('Appender', { timeout: 10_000 }, () => {
  it('appends in push order, batching what arrives while an append is in flight; flush waits for the last', async () => {
    const log = new MemoryLog({ maxLength: 10_000 });
    const batches: number[] = [];
    const positions: string[] = [];
    const appender = new Appender(log, 's1', (frames, ids) => {
      batches.push(frames.length);
      positions.push(...ids);
    });
    appender.push(frame(0));
    for (let k = 1; k < 100; k++) appender.push(frame(k));
    assert.ok(appender.queuedBytes > 0);
    await appender.flush();
    assert.equal(appender.queuedBytes, 0);
    assert.equal(appender.failure, null);
    assert.deepEqual(batches, [1, 99], 'the first frame goes at once; the 99 pushed during its append go as one batch');
    const stored = await log.range('s1', START, positions.at(-1)!, 1000);
    assert.deepEqual(stored.map((e) => text(e.frame)), Array.from({ length: 100 }, (_, k) => `frame ${k}`));
    assert.deepEqual(stored.map((e) => e.id), positions, 'each frame gets the position the log gave it');
  });

  it('stops at the first failure of the log and appends nothing after it', async () => {
    const memory = new MemoryLog({ maxLength: 10_000 });
    let calls = 0;
    const failing: SessionLog = Object.create(memory, {
      append: {
        value: async (session: string, frames: Uint8Array[]) => {
          if (++calls === 2) throw new Error('the log went away');
          return memory.append(session, frames);
        },
      },
    });
    let progress = 0;
    const appender = new Appender(failing, 's2', () => undefined);
    appender.onProgress = () => progress++;
    appender.push(frame(0));
    appender.push(frame(1));
    await appender.flush();
    appender.push(frame(2));
    await appender.flush();
    assert.match(appender.failure?.message ?? '', /appending 1 frames to session s2: the log went away/);
    assert.equal(appender.queuedBytes, 0, 'what failed is no longer counted as queued');
    assert.ok(progress >= 2);
    const stored = await memory.range('s2', START, (await memory.last('s2'))!, 100);
    assert.deepEqual(stored.map((e) => text(e.frame)), ['frame 0'], 'nothing after the failure');
  });
});
