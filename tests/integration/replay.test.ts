/** Durable traces: a finished run replays byte for byte, positions included, after its Redis stream is gone. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { requireEnv, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient, type Received } from '../support/ws-client.ts';

// Enough steps for more stored chunks (256 KiB each) than replay reads at once (8), and output.
const PROGRAM = 'a = [(i * 7919) % 500 for i in range(850)]\nfor i in range(len(a)):\n    for j in range(len(a) - 1 - i):\n        if a[j] > a[j + 1]:\n            a[j], a[j + 1] = a[j + 1], a[j]\n    if i % 50 == 0:\n        print("pass", i)\nprint(a[:5])\n';
const CHUNK_BYTES = 256 * 1024;
const CHUNKS_PER_READ = 8;

describe('replay', () => {
  let server: TestServer;
  let redis: Redis;
  before(async () => {
    // ~870,000 steps (under the default cap of 1,000,000): seconds of tracer time alone, many more on a busy machine; the run must end `ok`, not `timeout`.
    server = await startTestServer({ redis: true, postgres: true, env: { TRACECAST_TIMEOUT_MS: '300000' } });
    redis = new Redis(requireEnv('REDIS_URL'));
  });
  after(async () => {
    redis.disconnect();
    await server.close();
  });

  it('a run replays identically (same bytes, same positions) after its session stream is deleted', async () => {
    const live = await TestClient.connect(server.url);
    const { accepted, ended } = await live.execute('python', PROGRAM, {}, 360_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const ofRun = (r: Received) => 'run' in r.frame && r.frame.run === accepted.run && 'pos' in r.frame;
    const liveBytes = live.received.filter(ofRun).map((r) => r.bytes);
    assert.ok(liveBytes.length > 20, `${liveBytes.length} frames`);
    const total = liveBytes.reduce((n, b) => n + b.length, 0);
    assert.ok(total > CHUNKS_PER_READ * CHUNK_BYTES, `${total} bytes: fewer chunks than one read, so paging is not exercised`);
    live.close();

    assert.equal(await redis.del(`tc:{${accepted.session}}:log`), 1, 'the session stream existed and is deleted');

    const viewer = await TestClient.connect(server.url);
    const done = await viewer.request({ type: 'replay', run: accepted.run }, 60_000);
    assert.equal(done.type, 'replay.ended', JSON.stringify(done));
    const replayed = viewer.received.filter(ofRun).map((r) => r.bytes);
    assert.equal(done.type === 'replay.ended' && done.frames, liveBytes.length);
    assert.equal(replayed.length, liveBytes.length);
    for (let k = 0; k < replayed.length; k++) assert.ok(replayed[k].equals(liveBytes[k]), `frame ${k} differs`);
    viewer.close();
  });

  it('an unknown run is not_found', async () => {
    const c = await TestClient.connect(server.url);
    const reply = await c.request({ type: 'replay', run: 'no-such-run' });
    assert.equal(reply.type === 'error' && reply.code, 'not_found');
    c.close();
  });
});
