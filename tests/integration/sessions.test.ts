/** Instructor sessions: ownership, join codes, presence, rename/close, slow subscribers, expired positions. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const logged = (c: TestClient, session: string) => c.received.filter((r) => 'pos' in r.frame && r.frame.session === session);

async function open(c: TestClient, title = 'class') {
  const opened = await c.request({ type: 'session.open', title });
  assert.equal(opened.type, 'session.opened');
  return opened as F<'session.opened'>;
}

describe('sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ redis: true, postgres: true, env: { TRACECAST_JOIN_ATTEMPTS: '3', TRACECAST_JOIN_ATTEMPTS_PER_ADDRESS: '5', TRACECAST_SLOW_SUBSCRIBER_MS: '60000' } });
  });
  after(() => server.close());

  it('only the owner key runs code in a session; anyone with the join code watches', async () => {
    const [owner, student] = await Promise.all([TestClient.connect(server.url), TestClient.connect(server.url)]);
    const s = await open(owner);
    assert.match(s.joinCode, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    for (const ownerKey of [undefined, 'wrong-key']) {
      const refused = await student.request({ type: 'execute', language: 'python', code: 'x = 1', session: s.session, ...(ownerKey ? { ownerKey } : {}) });
      assert.equal(refused.type === 'error' && refused.code, 'forbidden');
    }
    const joined = await student.request({ type: 'subscribe', code: s.joinCode });
    assert.equal(joined.type, 'subscribed');
    const { ended } = await owner.execute('python', 'x = 41\nx += 1\n', { session: s.session, ownerKey: s.ownerKey });
    assert.equal(ended.verdict, 'ok');
    await student.waitFor((f) => f.type === 'run.ended');
    assert.deepEqual(logged(student, s.session).map((r) => r.bytes.toString('hex')), logged(owner, s.session).map((r) => r.bytes.toString('hex')));
    const presence = await student.waitFor<F<'presence'>>((f) => f.type === 'presence' && f.watchers === 2);
    assert.equal(presence.session, s.session);
    owner.close();
    student.close();
  });

  it('join codes cannot be enumerated cheaply: wrong codes are rate-limited per connection, and per address above that', async () => {
    const c = await TestClient.connect(server.url);
    const codes = ['ZZZZZ2', 'ZZZZZ3', 'ZZZZZ4', 'ZZZZZ5'];
    const answers = [];
    for (const code of codes) answers.push(await c.request({ type: 'subscribe', code }));
    assert.deepEqual(answers.map((a) => a.type === 'error' && a.code), ['not_found', 'not_found', 'not_found', 'rate_limited']);
    const limited = answers[3] as F<'error'>;
    assert.ok((limited.retryAfterMs ?? 0) > 0);
    // Another connection from the same address is not locked out by the first one's typos (a class behind one NAT),
    // until the address as a whole passes its own, higher, number.
    const c2 = await TestClient.connect(server.url);
    const more = [];
    for (const code of ['ZZZZZ6', 'ZZZZZ7', 'ZZZZZ8']) more.push(await c2.request({ type: 'subscribe', code }));
    assert.deepEqual(more.map((a) => a.type === 'error' && a.code), ['not_found', 'not_found', 'rate_limited']);
    c.close();
    c2.close();
  });

  it('rename and close reach every watcher; a closed session takes no more runs', async () => {
    const [owner, watcher] = await Promise.all([TestClient.connect(server.url), TestClient.connect(server.url)]);
    const s = await open(owner, 'before');
    await watcher.request({ type: 'subscribe', session: s.session });
    assert.equal((await watcher.request({ type: 'session.rename', session: s.session, ownerKey: 'nope', title: 'x' })).type, 'error');
    assert.equal((await owner.request({ type: 'session.rename', session: s.session, ownerKey: s.ownerKey, title: 'after' })).type, 'ok');
    assert.equal((await watcher.waitFor<F<'session.renamed'>>((f) => f.type === 'session.renamed')).title, 'after');
    assert.equal((await owner.request({ type: 'session.close', session: s.session, ownerKey: s.ownerKey })).type, 'ok');
    await watcher.waitFor((f) => f.type === 'session.closed');
    const refused = await owner.request({ type: 'execute', language: 'python', code: 'x = 1', session: s.session, ownerKey: s.ownerKey });
    assert.equal(refused.type === 'error' && refused.code, 'session_closed');
    owner.close();
    watcher.close();
  });

  it('a subscriber that stops reading for 10 s then resumes gets everything; the others are not held back by it', async () => {
    const [owner, fast, slow] = await Promise.all([0, 1, 2].map(() => TestClient.connect(server.url)));
    const s = await open(owner);
    for (const c of [fast, slow]) await c.request({ type: 'subscribe', session: s.session });
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const code = 'for i in range(3000):\n    print("line", i, "x" * 200)\n';
    const t0 = Date.now();
    const { ended } = await owner.execute('python', code, { session: s.session, ownerKey: s.ownerKey }, 60_000);
    assert.equal(ended.verdict, 'ok');
    // While the slow one is still paused: a fan-out held back by it would deliver nothing more until it resumes.
    await fast.waitFor((f) => f.type === 'run.ended', 60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - t0))));
    socket.resume();
    await slow.waitFor((f) => f.type === 'run.ended', 60_000);
    const want = logged(owner, s.session).map((r) => r.bytes.toString('hex'));
    assert.ok(want.length > 100, `${want.length} frames`);
    assert.deepEqual(logged(slow, s.session).map((r) => r.bytes.toString('hex')), want);
    assert.deepEqual(logged(fast, s.session).map((r) => r.bytes.toString('hex')), want);
    for (const c of [owner, fast, slow]) c.close();
  });
});

describe('sessions: retained history', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { TRACECAST_LOG_MAX_LENGTH: '5' } });
  });
  after(() => server.close());

  it('a position older than the retained history is refused with the earliest position', async () => {
    const owner = await TestClient.connect(server.url);
    const s = await open(owner);
    await owner.execute('python', 'print(1)\nprint(2)\nprint(3)\nprint(4)\n', { session: s.session, ownerKey: s.ownerKey });
    const first = logged(owner, s.session)[0].frame as { pos: string };
    const refused = await owner.request({ type: 'subscribe', session: s.session, position: first.pos });
    assert.equal(refused.type === 'error' && refused.code, 'position_expired');
    assert.match((refused as F<'error'>).earliest ?? '', /^\d+-\d+$/);
    const fromStart = (await owner.request({ type: 'subscribe', session: s.session })) as F<'subscribed'>;
    assert.equal(fromStart.truncated, true);
    owner.close();
  });

});

describe('sessions: slowness has a limit', () => {
  let server: TestServer;
  before(async () => {
    // The owner watches the same flood and may fall behind too when the test process is starved of CPU (a hog beside
    // the suite made 2 s too short for it once): the paused subscriber is behind for ever, so any allowance works for it.
    server = await startTestServer({ env: { TRACECAST_SLOW_SUBSCRIBER_MS: '15000', TRACECAST_OUTPUT_BYTES: '64000000' } });
  });
  after(() => server.close());

  it('a subscriber hopelessly behind is closed with 4002 (reconnect and resume)', async () => {
    const [owner, slow] = await Promise.all([TestClient.connect(server.url), TestClient.connect(server.url)]);
    const s = await open(owner);
    await slow.request({ type: 'subscribe', session: s.session });
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Far more than the kernel's socket buffers absorb, so the server's own send buffer fills.
    const run = owner.execute('python', 'for i in range(40000):\n    print("line", i, "x" * 500)\n', { session: s.session, ownerKey: s.ownerKey }, 120_000);
    // Resume once the server has given up on it: the close frame waits behind what is buffered, and a client that
    // stays paused long after the close is cut off without it (1006), as uWS gives up on the closing handshake.
    const closing = /"msg":"closing a subscriber that stayed behind too long"/;
    for (const until = Date.now() + 120_000; !server.logs.some((l) => closing.test(l)) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    for (const until = Date.now() + 60_000; slow.closeCode === null && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    assert.equal(slow.closeCode, 4002);
    assert.equal((await run).ended.verdict, 'ok');
    assert.equal(await metric(server, /^tracecast_slow_subscribers_total\{outcome="closed"\} (\d+)$/m), 1);
    assert.ok((await metric(server, /^tracecast_slow_subscribers_total\{outcome="behind"\} (\d+)$/m)) >= 1);
    owner.close();
  });
});
