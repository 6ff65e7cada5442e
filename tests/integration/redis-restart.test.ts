/**
 * Redis restarted under a running server (a redis-server of the test's own, killed and started again), without and
 * with persistence: the run in flight and the run waiting in the queue end with a verdict, nothing hangs; new runs
 * work on the connection that was open and on a new one; a client resuming from a position whose history was lost
 * is told so, and one whose history was kept resumes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { OwnRedis } from '../support/redis-server.ts';
import { spawnServer, type ServerProcess } from '../support/server-process.ts';
import { containersOf } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const outputOf = (frames: ServerFrame[], run: string) => frames.flatMap((f) => (f.type === 'output' && f.run === run ? [f.text] : [])).join('');

for (const persistent of [false, true]) {
  describe(`Redis restarted ${persistent ? 'with' : 'without'} persistence`, () => {
    let redis: OwnRedis;
    let server: ServerProcess;
    after(async () => {
      if (server) {
        server.child.kill('SIGTERM');
        const timer = setTimeout(() => server.child.kill('SIGKILL'), 60_000);
        await server.exited;
        clearTimeout(timer);
        for (const c of await containersOf(server.runnerId)) void c;
      }
      await redis?.dispose();
    });

    it('runs in flight and queued end with a verdict; later runs work; lost history is reported, kept history resumes', async () => {
      redis = await OwnRedis.start({ persistent });
      server = await spawnServer({ REDIS_URL: redis.url, TRACECAST_STORE: 'memory', TRACECAST_TIMEOUT_MS: '120000', TRACECAST_MAX_CONCURRENT_RUNS: '1', TRACECAST_POOL_SIZE: '2' });
      const url = `ws://127.0.0.1:${server.port}/ws`;
      const a = await TestClient.connect(url);
      const before = await a.execute('python', 'print("before")\n', {}, 120_000);
      assert.equal(before.ended.verdict, 'ok');
      const position = before.ended.pos;
      const session = before.accepted.session;

      const slow = (await a.request({ type: 'execute', language: 'python', code: 'import time\nfor i in range(30):\n    print(i)\n    time.sleep(0.2)\n' })) as F<'accepted'>;
      assert.equal(slow.type, 'accepted');
      await a.waitFor((f) => f.type === 'output' && f.run === slow.run, 120_000);
      const b = await TestClient.connect(url);
      const queued = (await b.request({ type: 'execute', language: 'python', code: 'print("queued")\n' })) as F<'accepted'>;
      assert.equal(queued.type, 'accepted');

      await redis.kill();
      await new Promise((r) => setTimeout(r, 1000));
      await redis.start();

      const slowEnd = await a.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === slow.run, 120_000);
      assert.ok(slowEnd.verdict, 'the run in flight has a verdict');
      const queuedEnd = await b.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === queued.run, 120_000);
      // Kept, or resubmitted by its gateway when the queue lost it: it runs either way.
      assert.equal(queuedEnd.verdict, 'ok');
      assert.equal(outputOf(b.frames, queued.run), 'queued\n');

      const again = await a.execute('python', 'print("after")\n', {}, 120_000);
      assert.equal(again.ended.verdict, 'ok');
      assert.equal(outputOf(again.frames, again.accepted.run), 'after\n');
      const c = await TestClient.connect(url);
      const fresh = await c.execute('python', 'print("new")\n', {}, 120_000);
      assert.equal(fresh.ended.verdict, 'ok');
      assert.equal(outputOf(fresh.frames, fresh.accepted.run), 'new\n');

      const resumer = await TestClient.connect(url);
      const reply = await resumer.request({ type: 'subscribe', session, position });
      if (persistent) {
        assert.equal(reply.type, 'subscribed');
        await resumer.waitFor((f) => f.type === 'run.ended' && f.run === again.accepted.run, 60_000);
      } else {
        assert.equal(reply.type, 'error');
        assert.equal((reply as F<'error'>).code, 'position_expired');
        assert.match((reply as F<'error'>).message, /lost/);
      }
      for (const x of [a, b, c, resumer]) x.close();
    });
  });
}
