/**
 * The TraceRecorder (server/archive/trace-recorder.ts) against the in-process store: a run's frames are held while
 * it runs (nothing stored until `finish` when they stay under the hold bound), a longer run has its oldest frames
 * stored as it goes, and either way the stored chunks unpack to every frame, in order, ids kept. No Docker or server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpackChunk } from '../../server/archive/trace-chunk.ts';
import { TraceRecorder } from '../../server/archive/trace-recorder.ts';
import { MemoryStore } from '../../server/store/store-memory.ts';

const FRAME_BYTES = 10_000;
const frame = (k: number) => new Uint8Array(FRAME_BYTES).fill(k % 251);

async function stored(store: MemoryStore, run: string) {
  const chunks = await store.traceChunks(run);
  const entries = (await Promise.all(chunks.map((c) => unpackChunk(c.data)))).flat();
  return { chunks, entries };
}

/** Adds `n` frames, ten at a time, as the appender hands them over. */
function addFrames(recorder: TraceRecorder, n: number): void {
  for (let k = 0; k < n; k += 10) {
    const ks = Array.from({ length: Math.min(10, n - k) }, (_, j) => k + j);
    recorder.add(ks.map(frame), ks.map((j) => `1-${j}`));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The chunks of `run` once at least `n` are stored (compression runs on libuv's pool), or after 10 s. */
async function chunksOnce(store: MemoryStore, run: string, n: number) {
  for (const deadline = Date.now() + 10_000; ; await sleep(20)) {
    const chunks = await store.traceChunks(run);
    if (chunks.length >= n || Date.now() > deadline) return chunks;
  }
}

describe('TraceRecorder', { timeout: 30_000 }, () => {
  it('stores nothing while a run under the hold bound runs; finish stores all of it in order', async () => {
    const store = new MemoryStore();
    const recorder = new TraceRecorder(store, 'r1');
    addFrames(recorder, 150); // 1.5 MB
    // Time for a chunk's compression and write, were one started.
    await sleep(500);
    assert.equal((await store.traceChunks('r1')).length, 0, 'a chunk was stored while the run ran');
    await recorder.finish();
    const { chunks, entries } = await stored(store, 'r1');
    assert.deepEqual(chunks.map((c) => c.seq), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(entries.map((e) => e.id), Array.from({ length: 150 }, (_, k) => `1-${k}`));
    assert.ok(entries.every((e, k) => e.frame.length === FRAME_BYTES && e.frame[0] === k % 251));
    assert.equal(recorder.failure, null);
  });

  it('a run past the bound has its oldest frames stored as it goes, in chunks of the usual size', async () => {
    const store = new MemoryStore();
    const recorder = new TraceRecorder(store, 'r2');
    addFrames(recorder, 500); // 5 MB
    const during = await chunksOnce(store, 'r2', 8);
    assert.ok(during.length >= 8, `${during.length} chunks stored while the run ran`);
    await recorder.finish();
    const { chunks, entries } = await stored(store, 'r2');
    assert.deepEqual(chunks.map((c) => c.seq), chunks.map((_, k) => k));
    assert.ok(chunks.slice(0, -1).every((c) => c.frames === 27), `frames per chunk: ${chunks.map((c) => c.frames)}`);
    assert.deepEqual(entries.map((e) => e.id), Array.from({ length: 500 }, (_, k) => `1-${k}`));
  });

  it('a failing store is reported and nothing after the failure is stored', async () => {
    const store = new MemoryStore();
    let calls = 0;
    store.addTraceChunk = async () => {
      calls++;
      throw new Error('disk full');
    };
    const recorder = new TraceRecorder(store, 'r3');
    addFrames(recorder, 100);
    await recorder.finish();
    assert.match(recorder.failure?.message ?? '', /storing trace chunk 0 of run r3: disk full/);
    assert.equal(calls, 1);
  });
});
