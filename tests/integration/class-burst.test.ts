/**
 * A class pressing Run at once, through a real server and real containers: `session.open` with the expected class
 * size warms that many sandboxes ahead and the pool falls back to its base when they are used and idle; a burst with
 * no pre-warming grows the pool and nobody is refused; the sandbox memory budget is never passed (owners' idle
 * containers make room); one owner's flood neither fills the queue for others nor delays their runs behind it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { containersOf, metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

const warm = (server: TestServer) => metric(server, /^tracecast_pool_warm\{language="python"\} (\d+)$/m);
const pythonContainers = async (server: TestServer) => (await containersOf(server.runnerId)).filter((c) => c.Image.startsWith('tracecast/python:')).length;

async function until(what: string, check: () => Promise<boolean>, withinMs = 120_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    assert.ok(Date.now() < end, `${what} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const connect = (server: TestServer, n: number) => Promise.all(Array.from({ length: n }, () => TestClient.connect(server.url)));

describe('class bursts', () => {
  describe('pre-warming and growth', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { TRACECAST_POOL_SIZE: '1', TRACECAST_POOL_IDLE_MS: '2000', TRACECAST_MAX_CONCURRENT_RUNS: '4' } });
    });
    after(() => server.close());

    it('session.open for N students warms N sandboxes; their first runs take them; the pool then falls back to its base', async () => {
      const students = 5;
      const instructor = await TestClient.connect(server.url);
      const opened = (await instructor.request({ type: 'session.open', title: 'class', students })) as F<'session.opened'>;
      assert.equal(opened.type, 'session.opened');
      assert.equal(opened.warming, students);
      await until('the class is warm', async () => (await warm(server)) >= 1 + students);
      const waited = await metric(server, /^tracecast_pool_waits_total\{language="python"\} (\d+)$/m);
      const clients = await connect(server, students);
      const runs = await Promise.all(clients.map((c, i) => c.execute('python', `print(${i})\n`, {}, 120_000)));
      for (const r of runs) assert.equal(r.ended.verdict, 'ok');
      assert.equal(await metric(server, /^tracecast_pool_waits_total\{language="python"\} (\d+)$/m), waited, 'a student waited for a sandbox although the class was warm');
      // The reservation is used up: nothing is started for it again, and the pool shrinks to its base once idle.
      await until('the pool is back to its base size', async () => (await warm(server)) === 1);
      for (const c of [instructor, ...clients]) c.close();
    });

    it('session.close releases what was warmed for the class', async () => {
      const instructor = await TestClient.connect(server.url);
      const opened = (await instructor.request({ type: 'session.open', title: 'class', students: 4 })) as F<'session.opened'>;
      await until('the class is warm', async () => (await warm(server)) >= 5);
      assert.equal((await instructor.request({ type: 'session.close', session: opened.session, ownerKey: opened.ownerKey })).type, 'ok');
      await until('the pool is back to its base size', async () => (await warm(server)) === 1);
      instructor.close();
    });

    it('a burst with nothing warmed ahead: everyone is admitted, the pool grows, every run ends ok', async () => {
      const clients = await connect(server, 12);
      const replies = await Promise.all(clients.map((c, i) => c.execute('python', `a = [${i}, 3, 1]\na.sort()\nprint(a)\n`, {}, 180_000).catch((err: Error) => err)));
      for (const r of replies) {
        assert.ok(!(r instanceof Error), `refused or failed: ${r instanceof Error ? r.message : ''}`);
        assert.equal(r.ended.verdict, 'ok');
      }
      const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as { pool: { budgetMb: number; committedMb: number } };
      assert.ok(health.pool.committedMb <= health.pool.budgetMb);
      for (const c of clients) c.close();
    });

    it('session.open for a language without an image is refused', async () => {
      const c = await TestClient.connect(server.url);
      const reply = await c.request({ type: 'session.open', title: 'x', students: 3, language: 'cobol' });
      assert.equal(reply.type === 'error' && reply.code, 'invalid_message');
      c.close();
    });
  });

  describe('the sandbox memory budget', () => {
    let server: TestServer;
    const BUDGET = 3;
    before(async () => {
      // Room for three Python sandboxes (128 MB each) and no other language: cpp's compile allowance is larger.
      server = await startTestServer({ env: { TRACECAST_POOL_SIZE: '1', TRACECAST_SANDBOX_MEMORY_MB: String(BUDGET * 128), TRACECAST_MAX_CONCURRENT_RUNS: '4' } });
    });
    after(() => server.close());

    it('is never passed: runs wait for room, owners keep containers only until someone needs the room', async () => {
      let most = 0;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          most = Math.max(most, (await containersOf(server.runnerId)).length);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        const clients = await connect(server, 7);
        // Two rounds: after the first, every owner holds a container for its next run (per-owner reuse).
        for (let round = 0; round < 2; round++) {
          const runs = await Promise.all(clients.map((c, i) => c.execute('python', `print(${round * 10 + i})\n`, {}, 240_000)));
          for (const r of runs) assert.equal(r.ended.verdict, 'ok');
        }
        for (const c of clients) c.close();
      } finally {
        watching = false;
        await watcher;
      }
      assert.ok(most <= BUDGET, `${most} containers at once with room for ${BUDGET}`);
      assert.ok((await pythonContainers(server)) <= BUDGET);
    });
  });

  describe('fairness', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { TRACECAST_POOL_SIZE: '2', TRACECAST_MAX_CONCURRENT_RUNS: '1', TRACECAST_MAX_RUNS_PER_OWNER: '3' } });
    });
    after(() => server.close());

    it("one owner's flood is refused past its share and runs after another owner's run, not before", async () => {
      const [flooder, student] = await connect(server, 2);
      const slow = 'import time\ntime.sleep(1.5)\n';
      const replies = [];
      for (let k = 0; k < 6; k++) replies.push(await flooder.request({ type: 'execute', language: 'python', code: slow }));
      const accepted = replies.filter((r): r is F<'accepted'> => r.type === 'accepted');
      const busy = replies.filter((r) => r.type === 'error' && r.code === 'busy');
      // Three waiting or running: the rest are past the flooder's own share, refused (one may have ended meanwhile).
      assert.ok(accepted.length >= 3 && accepted.length <= 4, `${accepted.length} accepted`);
      assert.equal(busy.length, 6 - accepted.length);
      const mine = await student.execute('python', 'print("mine")\n', {}, 180_000);
      assert.equal(mine.ended.verdict, 'ok');
      // The student's run went ahead of the flooder's waiting runs: at most the one running and the one next in
      // line (already taken by the queue's worker) ended before it.
      const endedBefore = flooder.frames.filter((f) => f.type === 'run.ended').length;
      assert.ok(endedBefore <= 2, `${endedBefore} of the flooder's runs ended before the student's`);
      for (const a of accepted) await flooder.waitFor((f) => f.type === 'run.ended' && f.run === a.run, 120_000);
      flooder.close();
      student.close();
    });
  });
});
