/**
 * Gateways and runners as separate processes (tracecast serve --role …) on one Redis and one Postgres: a gateway
 * runs programs without Docker access; cancel crosses to the runner; a runner killed with SIGKILL mid-run has its
 * run ended `internal_error` naming it, and the runs it had not started are run by another runner; a gateway
 * killed mid-run leaves the run going, and its watcher resumes on another gateway with nothing lost or doubled; a
 * runner whose Docker engine stops refuses nothing silently: `unavailable`, /health says why, and it resumes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { Deployment } from '../support/deployment.ts';
import { DockerProxy } from '../support/docker-proxy.ts';
import { containersOf } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, withinMs = 120_000): Promise<T> {
  const end = Date.now() + withinMs;
  for (;;) {
    const v = await check().catch(() => null);
    if (v) return v;
    assert.ok(Date.now() < end, `${what} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A run's program output, as printed (a print may come as several frames). */
const outputOf = (frames: ServerFrame[], run: string) => frames.flatMap((f) => (f.type === 'output' && f.run === run ? [f.text] : [])).join('');

const SLOW_COUNTER = (n: number, pause: number) => `import time\nfor i in range(${n}):\n    print(i)\n    time.sleep(${pause})\n`;

describe('scale-out: gateways and runners in separate processes', () => {
  describe('roles', () => {
    const dep = new Deployment();
    after(() => dep.cleanup());

    it('a gateway with no Docker access runs programs through a runner; cancel reaches the runner', async () => {
      const runner = await dep.start('runner');
      // The gateway's Docker socket leads nowhere: it never needs one.
      const gateway = await dep.start('gateway', { TRACECAST_DOCKER_SOCKET: '/nonexistent/docker.sock' });
      const health = await until('the gateway sees the runner', async () => {
        const h = await gateway.health();
        return h.runners?.length === 1 && h.languages.includes('python') ? h : null;
      });
      assert.equal(health.role, 'gateway');
      assert.equal(health.status, 'ok');
      assert.equal((await runner.health()).role, 'runner');
      const c = await TestClient.connect(gateway.url);
      const run = await c.execute('python', 'a = [3, 1, 2]\na.sort()\nprint(a)\n', {}, 120_000);
      assert.equal(run.ended.verdict, 'ok');
      assert.equal(outputOf(run.frames, run.accepted.run), '[1, 2, 3]\n');
      assert.equal((await containersOf(gateway.runnerId)).length, 0, 'the gateway started a container');

      const long = (await c.request({ type: 'execute', language: 'python', code: SLOW_COUNTER(100_000, 0.05) })) as F<'accepted'>;
      assert.equal(long.type, 'accepted');
      await c.waitFor((f) => f.type === 'output' && f.run === long.run, 120_000);
      const t0 = performance.now();
      const reply = await c.request({ type: 'cancel', run: long.run }, 60_000);
      const ended = await c.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === long.run, 60_000);
      const ms = performance.now() - t0;
      assert.equal(reply.type, 'ok');
      assert.equal(ended.verdict, 'cancelled');
      // The bound is 200 ms from the cancel to the runner; here the whole round trip, on a loaded machine.
      assert.ok(ms < 10_000, `cancel took ${ms.toFixed(0)} ms to end the run`);
      c.close();
    });
  });

  describe('a runner killed mid-run', () => {
    const dep = new Deployment({ TRACECAST_RUNNER_LOST_MS: '6000' });
    after(() => dep.cleanup());

    it("its run ends internal_error naming it; the runs it had not started are run by another runner; what it left is removed", async () => {
      const doomed = await dep.start('runner', { TRACECAST_MAX_CONCURRENT_RUNS: '1' });
      const gateway = await dep.start('gateway');
      await until('the gateway sees the runner', async () => (await gateway.health()).runners?.length === 1);
      const owner = await TestClient.connect(gateway.url);
      const long = (await owner.request({ type: 'execute', language: 'python', code: SLOW_COUNTER(100_000, 0.1) })) as F<'accepted'>;
      await owner.waitFor((f) => f.type === 'output' && f.run === long.run, 120_000);
      // Queued behind it on a runner that takes one run at a time.
      const others = await Promise.all([0, 1, 2].map(() => TestClient.connect(gateway.url)));
      const queued = await Promise.all(others.map(async (c, i) => (await c.request({ type: 'execute', language: 'python', code: `print(${i})\n` })) as F<'accepted'>));
      for (const q of queued) assert.equal(q.type, 'accepted');
      const left = (await containersOf(doomed.runnerId)).length;
      assert.ok(left > 0);

      await doomed.kill();
      const killedAt = Date.now();
      await dep.start('runner');
      const ended = await owner.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === long.run, 60_000);
      const ms = Date.now() - killedAt;
      assert.equal(ended.verdict, 'internal_error');
      assert.match(ended.error?.message ?? '', new RegExp(`runner ${doomed.runnerId}-\\w+ was lost`));
      assert.ok(ms < 30_000 + 10_000, `run.ended ${ms} ms after the kill`);
      for (const [i, c] of others.entries()) {
        const e = await c.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === queued[i].run, 120_000);
        assert.equal(e.verdict, 'ok', `queued run ${i} ended ${e.verdict}`);
        assert.equal(outputOf(c.frames, queued[i].run), `${i}\n`);
      }
      await until('what the lost runner left is removed', async () => (await containersOf(doomed.runnerId)).length === 0, 120_000);
      for (const c of [owner, ...others]) c.close();
    });
  });

  describe('a gateway killed mid-run', () => {
    const dep = new Deployment();
    after(() => dep.cleanup());

    it('the run goes on; its watcher resumes on another gateway and gets every frame once', async () => {
      await dep.start('runner');
      const [g1, g2] = [await dep.start('gateway'), await dep.start('gateway')];
      await until('the gateways see the runner', async () => (await g1.health()).runners?.length === 1 && (await g2.health()).runners?.length === 1);
      const owner = await TestClient.connect(g1.url);
      const opened = (await owner.request({ type: 'session.open', title: 'class' })) as F<'session.opened'>;
      const watcher = await TestClient.connect(g1.url);
      assert.equal((await watcher.request({ type: 'subscribe', code: opened.joinCode })).type, 'subscribed');
      const N = 40;
      const accepted = (await owner.request({ type: 'execute', language: 'python', code: SLOW_COUNTER(N, 0.2), session: opened.session, ownerKey: opened.ownerKey })) as F<'accepted'>;
      assert.equal(accepted.type, 'accepted');
      await until('the watcher has seen a few lines', async () => outputOf(watcher.frames, accepted.run).includes('3\n'), 120_000);
      await g1.kill();
      await until('the watcher sees its gateway go', async () => watcher.closeCode !== null, 30_000);
      const seen = watcher.frames.filter((f): f is F<'output'> | F<'steps'> | F<'run.ended'> | F<'run.started'> => 'pos' in f && 'run' in f && f.run === accepted.run);
      const last = seen[seen.length - 1].pos;

      const resumed = await TestClient.connect(g2.url);
      assert.equal((await resumed.request({ type: 'subscribe', session: opened.session, position: last })).type, 'subscribed');
      const ended = await resumed.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === accepted.run, 120_000);
      assert.equal(ended.verdict, 'ok');
      const rest = resumed.frames.filter((f) => 'pos' in f && 'run' in f && f.run === accepted.run);
      const all = [...seen, ...rest] as Array<{ type: string; pos: string; text?: string; step?: number }>;
      // Every position once, in order; every line printed once, in order.
      assert.equal(new Set(all.map((f) => f.pos)).size, all.length, 'a frame came twice');
      const text = all.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join('');
      assert.equal(text, Array.from({ length: N }, (_, i) => `${i}\n`).join(''));
      resumed.close();
    });
  });

  describe("a runner's Docker engine stopped", () => {
    const proxy = new DockerProxy();
    const dep = new Deployment();
    after(async () => {
      await proxy.start().catch(() => undefined);
      await dep.cleanup();
      await proxy.dispose();
    });

    it('execute gets unavailable, /health says why, and service resumes when the engine is back', async () => {
      await proxy.start();
      const runner = await dep.start('runner', { TRACECAST_DOCKER_SOCKET: proxy.socketPath });
      const gateway = await dep.start('gateway');
      await until('the gateway sees the runner', async () => (await gateway.health()).runners?.length === 1);
      const c = await TestClient.connect(gateway.url);
      assert.equal((await c.execute('python', 'print(1)\n', {}, 120_000)).ended.verdict, 'ok');

      await proxy.stop();
      const refused = await until('execute is refused as unavailable', async () => {
        const reply = await c.request({ type: 'execute', language: 'python', code: 'print(2)\n' }, 30_000);
        return reply.type === 'error' && reply.code === 'unavailable' ? reply : null;
      }, 60_000);
      assert.match(refused.message, /Docker engine/);
      assert.ok((refused.retryAfterMs ?? 0) > 0);
      const health = await gateway.health();
      assert.equal(health.status, 'degraded');
      assert.match(health.unavailable.python, /Docker engine .* is not answering/);
      assert.equal((await runner.health()).status, 'degraded');

      await proxy.start();
      const run = await until('a run works again', async () => {
        const reply = await c.request({ type: 'execute', language: 'python', code: 'print(3)\n' }, 30_000);
        return reply.type === 'accepted' ? reply : null;
      }, 120_000);
      const ended = await c.waitFor<F<'run.ended'>>((f) => f.type === 'run.ended' && f.run === (run as F<'accepted'>).run, 120_000);
      assert.equal(ended.verdict, 'ok');
      assert.equal((await gateway.health()).status, 'ok');
      c.close();
    });
  });
});
