/**
 * The warm pool through a real server and real containers: it fills to its size, a run takes a
 * started container (its id was among the warm ones), the pool starts a replacement, and runs
 * that find none warm wait for one and are counted; the metrics say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { containersOf, metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const POOL_SIZE = 2;

// The pool keeps POOL_SIZE per language with an image; these tests use Python's.
const warm = (server: TestServer) => metric(server, /^tracecast_pool_warm\{language="python"\} (\d+)$/m);
const waits = (server: TestServer) => metric(server, /^tracecast_pool_waits_total\{language="python"\} (\d+)$/m);
const refills = (server: TestServer) => metric(server, /^tracecast_pool_refill_seconds_count\{language="python"\} (\d+)$/m);

async function until(what: string, check: () => Promise<boolean>, withinMs = 30_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    assert.ok(Date.now() < end, `${what} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('warm pool', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { TRACECAST_POOL_SIZE: String(POOL_SIZE), TRACECAST_MAX_CONCURRENT_RUNS: '8' } });
  });
  after(async () => {
    await server.close();
  });

  it('fills to its size; a run takes a warm container and a replacement is started', async () => {
    await until('the pool is full', async () => (await warm(server)) === POOL_SIZE);
    const warmIds = new Set((await containersOf(server.runnerId)).filter((c) => c.Image.startsWith('tracecast/python:')).map((c) => c.Id.slice(0, 12)));
    assert.equal(warmIds.size, POOL_SIZE);
    // The output reaches the runner over the attach stream only: dockerd keeps no log of it (sandbox-docker.ts).
    for (const id of warmIds) assert.equal((await new Docker().getContainer(id).inspect()).HostConfig.LogConfig?.Type, 'none', `container ${id}'s log driver`);
    const started = await refills(server);
    const waited = await waits(server);
    const client = await TestClient.connect(server.url);
    try {
      const run = await client.execute('python', 'import socket\nprint(socket.gethostname())\n');
      assert.equal(run.ended.verdict, 'ok');
      const host = run.frames.flatMap((f) => (f.type === 'output' ? [f.text.trim()] : [])).join('');
      assert.ok(warmIds.has(host), `the run's container ${host} was not one of the warm ones`);
      assert.equal(await waits(server), waited, 'a run waited although containers were warm');
      await until('a replacement is started', async () => (await refills(server)) === started + 1 && (await warm(server)) === POOL_SIZE);
    } finally {
      client.close();
    }
  });

  it('runs that find no warm container wait for one, and are counted', async () => {
    await until('the pool is full', async () => (await warm(server)) === POOL_SIZE);
    const waited = await waits(server);
    const clients = await Promise.all(Array.from({ length: POOL_SIZE + 2 }, () => TestClient.connect(server.url)));
    try {
      const runs = await Promise.all(clients.map((c, i) => c.execute('python', `print(${i})\n`)));
      for (const [i, run] of runs.entries()) {
        assert.equal(run.ended.verdict, 'ok');
        assert.match(run.frames.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join(''), new RegExp(`^${i}\\n$`));
      }
      assert.equal(await waits(server), waited + 2);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
