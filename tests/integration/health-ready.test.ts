/**
 * `/health/live` and `/health/ready` on a real server process: readiness follows a Redis of the test's own (stopped,
 * then started again on the same port) and says 503 while a SIGTERM'd server drains; `/health` stays as it was. A
 * runner process alone answers the same probes on its own port.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { spawnServer } from '../support/server-process.ts';
import { requireEnv, startTestServer } from '../support/server.ts';

// Generous: two shared cores, and ioredis retries a lost connection at most once a second.
const FLIP_WITHIN_MS = 30_000;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A redis-server of this test's own on `port` (never the shared one), answering before this resolves. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const until = Date.now() + 20_000;
  while (!/Ready to accept connections/.test(out)) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`redis-server on ${port} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function ready(port: number): Promise<{ status: number; body: { ready: boolean; status: string; checks: Record<string, { ok: boolean; error?: string }> } }> {
  const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
  return { status: res.status, body: await res.json() };
}

/** Polls readiness until its HTTP status is `status`; returns that answer. */
async function waitReady(port: number, status: number) {
  const until = Date.now() + FLIP_WITHIN_MS;
  for (;;) {
    const r = await ready(port);
    if (r.status === status) return r;
    if (Date.now() > until) throw new Error(`/health/ready still ${r.status} after ${FLIP_WITHIN_MS} ms: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('health: live and ready', () => {
  const redises: ChildProcess[] = [];
  after(async () => {
    for (const r of redises) await stopRedis(r);
  });

  it('readiness goes 503 when Redis stops and 200 when it is back; liveness and /health answer throughout', async () => {
    const redisPort = await freePort();
    redises.push(await startRedis(redisPort));
    const server = await startTestServer({ postgres: true, env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
    try {
      const up = await waitReady(server.port, 200);
      assert.equal(up.body.status, 'ready');
      assert.deepEqual(Object.keys(up.body.checks).sort(), ['docker', 'postgres', 'redis']);
      assert.ok(Object.values(up.body.checks).every((c) => c.ok), JSON.stringify(up.body));

      await stopRedis(redises.pop()!);
      const down = await waitReady(server.port, 503);
      assert.equal(down.body.status, 'not_ready');
      assert.equal(down.body.checks.redis.ok, false);
      assert.equal(down.body.checks.postgres.ok, true, 'only the dependency that stopped is reported down');
      const live = await fetch(`http://127.0.0.1:${server.port}/health/live`);
      assert.equal(live.status, 200, 'a process whose dependency is down is not to be restarted');
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      assert.equal(health.status, 200);
      assert.ok('languages' in (await health.json()));

      redises.push(await startRedis(redisPort));
      const back = await waitReady(server.port, 200);
      assert.equal(back.body.checks.redis.ok, true);
    } finally {
      await server.close();
    }
  });

  it('a runner process (no gateway) answers /health/live and /health/ready, and its readiness follows its Redis', async () => {
    const redisPort = await freePort();
    redises.push(await startRedis(redisPort));
    const runner = await spawnServer({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, TRACECAST_STORE: 'memory' }, { role: 'runner' });
    try {
      const up = await waitReady(runner.port, 200);
      assert.deepEqual(Object.keys(up.body.checks).sort(), ['docker', 'redis']);
      await stopRedis(redises.pop()!);
      const down = await waitReady(runner.port, 503);
      assert.equal(down.body.checks.redis.ok, false);
      assert.equal(down.body.checks.docker.ok, true);
      assert.equal((await fetch(`http://127.0.0.1:${runner.port}/health/live`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${runner.port}/metrics`)).status, 200);
      redises.push(await startRedis(redisPort));
      await waitReady(runner.port, 200);
    } finally {
      runner.child.kill('SIGTERM');
      assert.equal(await runner.exited, 0, runner.stderr());
    }
  });

  it('a draining server (SIGTERM) answers 503 on /health/ready before it stops listening, then exits 0', async () => {
    const server = await spawnServer({ REDIS_URL: requireEnv('REDIS_URL'), TRACECAST_STORE: 'memory', TRACECAST_DRAIN_MS: '5000' });
    await waitReady(server.port, 200);
    server.child.kill('SIGTERM');
    const draining = await waitReady(server.port, 503);
    assert.equal(draining.body.status, 'draining');
    assert.equal(draining.body.ready, false);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/health/live`)).status, 200);
    assert.equal(await server.exited, 0, server.stderr());
  });
});
