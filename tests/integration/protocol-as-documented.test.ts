/** The native protocol as protocol/README.md states it, where a client written from the document alone found otherwise: integers, 1009, cancel replies, unknown sessions. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Packr } from 'msgpackr';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type Frame<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

// Integers as MessagePack types tell them: int64/uint64 as bigint, everything else (float64 included) as number.
const typed = new Packr({ useRecords: false, int64AsType: 'bigint' });

/** Every number and bigint in a decoded value, depth first. */
function numbers(value: unknown, out: Array<number | bigint> = []): Array<number | bigint> {
  if (typeof value === 'number' || typeof value === 'bigint') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbers(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) numbers(v, out);
  return out;
}

describe('the native protocol as documented', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const connect = async () => {
    const c = await TestClient.connect(server.url);
    clients.push(c);
    return c;
  };
  before(async () => {
    server = await startTestServer({ env: { TRACECAST_MAX_MESSAGE_BYTES: '4096' } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('integers beyond 32 bits arrive as MessagePack integers, and slot deltas apply only to integers', async () => {
    const client = await connect();
    const code = 'big = 2 ** 40\nneg = -(2 ** 40) - 7\ntotal = 2 ** 40\nfor i in range(4):\n    total += i\nratio = total / 3\n';
    const { ended, accepted } = await client.execute('python', code);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const raw = client.received.filter((r) => r.frame.type === 'steps' && r.frame.run === accepted.run).map((r) => typed.unpack(r.bytes) as { first: number; steps: unknown[]; vars?: unknown[] });
    const all = numbers(raw);
    assert.ok(all.includes(2n ** 40n), 'a uint64 2^40');
    assert.ok(all.includes(-(2n ** 40n) - 7n), 'an int64 -(2^40) - 7');
    for (const n of all) {
      if (typeof n === 'number' && Number.isInteger(n)) assert.ok(n >= -(2 ** 31) && n < 2 ** 32, `${n} arrived as a float64`);
    }
    // Slot entries [L, S, V, ...]: a negative S is a change to the slot's previous value, which must be an integer.
    let deltas = 0;
    for (const frame of raw) {
      const last = new Map<number, unknown>();
      for (const e of frame.steps) {
        if (!Array.isArray(e) || e.length < 3 || e.length % 2 === 0) continue;
        for (let k = 1; k < e.length; k += 2) {
          const s = Number(e[k]);
          const slot = s >= 0 ? s : -s - 1;
          if (s < 0) {
            const base = last.get(slot);
            assert.ok(typeof base === 'bigint' || (typeof base === 'number' && Number.isInteger(base)), `a change applied to ${String(base)}`);
            deltas++;
            last.set(slot, BigInt(base as number | bigint) + BigInt(e[k + 1] as number | bigint));
          } else last.set(slot, e[k + 1]);
        }
      }
    }
    assert.ok(deltas > 0, 'the loop sends slot changes');
    // And a client applying them gets the exact values.
    const steps = client.frames.filter((f): f is Frame<'steps'> => f.type === 'steps' && f.run === accepted.run).flatMap((f) => f.steps);
    const totals = steps.flatMap((s) => s.set ?? []).filter(([, name]) => name === 'total').map(([, , v]) => v);
    assert.equal(totals[0], 2 ** 40);
    assert.equal(totals.at(-1), 2 ** 40 + 6);
  });

  it('a message over the close limit (4 × the limit, at least 1 MiB) closes the connection with 1009', async () => {
    const client = await connect();
    client.sendRaw(Buffer.alloc(1536 * 1024, 0x20));
    const deadline = Date.now() + 20_000;
    while (client.closeCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.closeCode, 1009);
  });

  it('cancel always gets a reply: ok when it ended the run, not_found when the run had ended', async () => {
    const client = await connect();
    const long = await client.request({ type: 'execute', language: 'python', code: 'import time\nwhile True:\n    time.sleep(0.05)\n' });
    assert.equal(long.type, 'accepted');
    const run = (long as Frame<'accepted'>).run;
    await client.waitFor((f) => f.type === 'steps' && f.run === run, 60_000);
    const reply = await client.request({ type: 'cancel', run }, 60_000);
    assert.equal(reply.type, 'ok', JSON.stringify(reply));
    const ended = await client.waitFor<Frame<'run.ended'>>((f) => f.type === 'run.ended' && f.run === run, 60_000);
    assert.equal(ended.verdict, 'cancelled');

    // A cancel sent the moment `run.ended` arrives races the end of the run on the server: it is answered all the same.
    for (let round = 0; round < 4; round++) {
      const from = client.received.length;
      const id = `late-${round}`;
      const sendOnEnd = (data: Buffer) => {
        if (client.received.at(-1)?.bytes !== data) return;
        const f = client.received.at(-1)!.frame;
        if (f.type === 'run.ended') {
          client.ws.off('message', sendOnEnd);
          client.send({ type: 'cancel', id, run: f.run });
        }
      };
      client.ws.on('message', sendOnEnd);
      const { ended: quick } = await client.execute('python', 'x = 1\n', {}, 60_000);
      assert.equal(quick.verdict, 'ok');
      const answer = await client.waitFor((f) => 'id' in f && f.id === id, 60_000, from);
      assert.equal(answer.type, 'error');
      assert.equal((answer as Frame<'error'>).code, 'not_found', (answer as Frame<'error'>).message);
    }
  });

  it('subscribe to a session that does not exist → not_found; an opened session is found before its first frame, a connection\'s own session by its id', async () => {
    const [owner, watcher] = [await connect(), await connect()];
    const missing = await watcher.request({ type: 'subscribe', session: 'noSuchSessn1' });
    assert.equal(missing.type, 'error');
    assert.equal((missing as Frame<'error'>).code, 'not_found');

    const opened = (await owner.request({ type: 'session.open', title: 'empty' })) as Frame<'session.opened'>;
    const byId = await watcher.request({ type: 'subscribe', session: opened.session });
    assert.equal(byId.type === 'subscribed' && byId.title, 'empty', 'an opened session\'s reply carries its title');
    assert.equal((await owner.request({ type: 'session.rename', session: opened.session, ownerKey: opened.ownerKey, title: 'Week 3' })).type, 'ok');
    const byCode = await watcher.request({ type: 'subscribe', code: opened.joinCode });
    assert.equal(byCode.type === 'subscribed' && byCode.title, 'Week 3', 'the title as it is now');

    const { accepted } = await owner.execute('python', 'x = 1\n', {}, 60_000);
    const joined = await watcher.request({ type: 'subscribe', session: accepted.session });
    assert.equal(joined.type, 'subscribed');
    assert.equal('title' in joined, false, 'a connection\'s own session has no title');
    await watcher.waitFor((f) => f.type === 'run.ended' && f.run === accepted.run, 20_000);
    const misspelt = accepted.session.slice(0, -1) + (accepted.session.endsWith('A') ? 'B' : 'A');
    const refused = await watcher.request({ type: 'subscribe', session: misspelt });
    assert.equal(refused.type === 'error' && refused.code, 'not_found');
  });
});

describe('a connection\'s own session, on another gateway before its first frame', () => {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('is found by its id (the session log knows it), and its run is then followed from the start', async () => {
    // One run at a time on A: the second run waits in the queue, its session still without a frame.
    const [a, b] = await Promise.all([startTestServer({ redis: true, env: { TRACECAST_MAX_CONCURRENT_RUNS: '1' } }), startTestServer({ redis: true })]);
    servers.push(a, b);
    const [busy, owner, watcher] = await Promise.all([TestClient.connect(a.url), TestClient.connect(a.url), TestClient.connect(b.url)]);
    clients.push(busy, owner, watcher);
    const blocking = (await busy.request({ type: 'execute', language: 'python', code: 'import time\nwhile True:\n    time.sleep(0.05)\n' })) as Frame<'accepted'>;
    await busy.waitFor((f) => f.type === 'run.started' && f.run === blocking.run, 60_000);
    const queued = (await owner.request({ type: 'execute', language: 'python', code: 'x = 1\n' })) as Frame<'accepted'>;
    assert.equal(queued.type, 'accepted');

    const joined = await watcher.request({ type: 'subscribe', session: queued.session });
    assert.equal(joined.type, 'subscribed', JSON.stringify(joined));
    assert.ok(!owner.frames.some((f) => f.type === 'run.started' && f.run === queued.run), 'the session had no frame yet');

    // While the slot is taken, a run queued in an opened session that is then closed ends `cancelled` without running.
    const opened = (await owner.request({ type: 'session.open', title: 'closing' })) as Frame<'session.opened'>;
    const inClosed = (await owner.request({ type: 'execute', language: 'python', code: 'x = 1\n', session: opened.session, ownerKey: opened.ownerKey })) as Frame<'accepted'>;
    assert.equal(inClosed.type, 'accepted');
    assert.equal((await owner.request({ type: 'session.close', session: opened.session, ownerKey: opened.ownerKey })).type, 'ok');
    const closedEnd = await owner.waitFor<Frame<'run.ended'>>((f) => f.type === 'run.ended' && f.run === inClosed.run, 60_000);
    assert.equal(closedEnd.verdict, 'cancelled');

    assert.equal((await busy.request({ type: 'cancel', run: blocking.run }, 60_000)).type, 'ok');
    const ended = await watcher.waitFor<Frame<'run.ended'>>((f) => f.type === 'run.ended' && f.run === queued.run, 60_000);
    assert.equal(ended.verdict, 'ok');
    assert.ok(watcher.frames.some((f) => f.type === 'run.started' && f.run === queued.run));
  });
});
