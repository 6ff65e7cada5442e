/**
 * Two gateway processes on one Redis and one Postgres. The run executes on gateway B; a class
 * watches through gateway A, which is killed with SIGKILL mid-run. The watchers' clients
 * (protocol/client.ts) reconnect to B and resume from their last positions: each ends with the
 * session's complete sequence, in order, without duplicates. Presence counts the watchers of
 * every gateway, and the dead gateway's count lapses.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { TracecastClient, type WebSocketConstructor } from '../../protocol/client.ts';
import type { ServerFrame } from '../../protocol/index.ts';
import { DockerSandbox } from '../../server/sandbox/sandbox-docker.ts';
import { spawnServer, type ServerProcess } from '../support/server-process.ts';
import { requireEnv } from '../support/server.ts';

const WATCHERS = 6;
// About 3 s of steps arriving a few at a time, so the kill lands mid-run.
const PROGRAM = 'import time\ntotal = 0\nfor i in range(150):\n    total += i\n    time.sleep(0.02)\nprint("total", total)\n';

type Positioned = Extract<ServerFrame, { pos: string }>;
const positioned = (f: ServerFrame): f is Positioned => 'pos' in f;

function frameLog(client: TracecastClient) {
  const frames: Positioned[] = [];
  client.onFrame((f) => {
    if (positioned(f)) frames.push(f);
  });
  return frames;
}

function lastPresence(client: TracecastClient) {
  const seen = { watchers: -1 };
  client.onFrame((f) => {
    if (f.type === 'presence') seen.watchers = f.watchers;
  });
  return seen;
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('multi-gateway', () => {
  const servers: ServerProcess[] = [];
  const clients: TracecastClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) s.child.kill('SIGKILL');
    // A process killed with SIGKILL leaves its containers: what its next start (same runner id) would reap.
    await Promise.all(servers.map((s) => new DockerSandbox({ images: {}, runnerId: s.runnerId }).reap()));
  });

  it('kill -9 a gateway mid-run: its clients resume on another and get every frame once, in order', async () => {
    const env = { REDIS_URL: requireEnv('REDIS_URL'), DATABASE_URL: requireEnv('DATABASE_URL') };
    // A only relays (no warm containers); B runs the program.
    const [a, b] = await Promise.all([spawnServer({ ...env, TRACECAST_POOL_SIZE: '0' }), spawnServer({ ...env, TRACECAST_POOL_SIZE: '1' })]);
    servers.push(a, b);
    const urlA = `http://127.0.0.1:${a.port}`;
    const urlB = `http://127.0.0.1:${b.port}`;
    const options = { WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: true, backoff: { initialMs: 50, maxMs: 500 } };

    const owner = await TracecastClient.connect(urlB, options);
    clients.push(owner);
    const opened = await owner.request({ type: 'session.open', title: 'kill -9' });
    assert.equal(opened.type, 'session.opened', JSON.stringify(opened));
    if (opened.type !== 'session.opened') return;

    const watchers = await Promise.all(Array.from({ length: WATCHERS }, () => TracecastClient.connect([urlA, urlB], options)));
    clients.push(...watchers);
    const logs = watchers.map(frameLog);
    // Two more watch through B: presence counts the watchers of both gateways.
    const onB = await Promise.all([0, 1].map(() => TracecastClient.connect(urlB, options)));
    clients.push(...onB);
    const presence = [...watchers, ...onB].map(lastPresence);
    for (const w of [...watchers, ...onB]) {
      const reply = await w.join(opened.joinCode);
      assert.equal(reply.type === 'subscribed' && reply.session, opened.session, JSON.stringify(reply));
    }
    const everyoneSees = (n: number) => presence.every((p) => p.watchers === n);
    await until(`presence ${WATCHERS + 2} on every watcher`, () => everyoneSees(WATCHERS + 2), 10_000);

    const accepted = await owner.request({ type: 'execute', language: 'python', code: PROGRAM, session: opened.session, ownerKey: opened.ownerKey });
    assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));
    if (accepted.type !== 'accepted') return;
    const ended = (frames: Positioned[]) => frames.some((f) => f.type === 'run.ended' && f.run === accepted.run);

    await until('steps on every watcher', () => logs.every((l) => l.filter((f) => f.type === 'steps').length >= 3), 60_000);
    assert.ok(!logs.some(ended), 'the kill must land mid-run');
    a.child.kill('SIGKILL');
    await a.exited;

    await until('run.ended on every watcher', () => logs.every(ended), 60_000);

    const reference = await TracecastClient.connect(urlB, options);
    clients.push(reference);
    const all = frameLog(reference);
    reference.subscribe(opened.session);
    await until('the reference replay', () => ended(all), 30_000);
    const expected = all.map((f) => f.pos);
    assert.ok(all.filter((f) => f.type === 'steps').length >= 3);
    const ranEnded = all.find((f) => f.type === 'run.ended');
    assert.equal(ranEnded?.type === 'run.ended' && ranEnded.verdict, 'ok');

    for (const [k, log] of logs.entries()) {
      const got = log.map((f) => f.pos);
      assert.equal(new Set(got).size, got.length, `watcher ${k} got a duplicate`);
      assert.deepEqual(got, expected, `watcher ${k}: complete and in order`);
    }

    // The dead gateway's count lapses with its lease (15 s). Everyone is on B now, with the owner
    // (its execute follows the session) and the reference client.
    const total = WATCHERS + 2 + 2;
    await until(`presence ${total} after the kill`, () => everyoneSees(total), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${presence.map((p) => p.watchers).join(' ')}`);
    });
  });
});
