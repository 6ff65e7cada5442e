/** Identity and limits on a real server: tokens per role, forged/expired/wrong-audience ones, the header token, the deadline, instructor-only sessions, limits with retryAfterMs, trusted X-Forwarded-For, a class behind one address. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { authEnv, signToken } from '../support/tokens.ts';
import { TestClient } from '../support/ws-client.ts';

const token = signToken;
// A run in a container on a busy 2-core machine, plus the CLI's own start.
const CLI_WAIT = 180_000;

type Err = Extract<ServerFrame, { type: 'error' }>;

describe('identity and limits (TRACECAST_AUTH=required)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const connect = async (protocols?: string[], headers?: Record<string, string>) => {
    const c = await TestClient.connect(server.url, protocols, headers);
    clients.push(c);
    return c;
  };
  const signedIn = async (sub: string, role: string) => {
    const c = await connect();
    const reply = await c.request({ type: 'auth', token: await token(sub, role) });
    assert.equal(reply.type, 'authenticated', JSON.stringify(reply));
    return c;
  };

  before(async () => {
    server = await startTestServer({
      env: {
        ...authEnv('required'),
        TRACECAST_AUTH_DEADLINE_MS: '3000',
        TRACECAST_TRUST_PROXY: '127.0.0.1,::1',
        TRACECAST_RUNS_PER_MINUTE: '2',
        TRACECAST_SESSION_OPENS_PER_HOUR: '2',
        TRACECAST_JOIN_ATTEMPTS: '3',
        TRACECAST_JOIN_ATTEMPTS_PER_ADDRESS: '5',
        // High enough that no test here trips it by accident; tests/unit/limits.test.ts trips it.
        TRACECAST_MESSAGES_PER_MINUTE: '1000',
        TRACECAST_CONNECTIONS_PER_MINUTE: '1000',
      },
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('a token per role is accepted and says who the connection is', async () => {
    for (const role of ['student', 'instructor', 'admin']) {
      const c = await connect();
      const reply = await c.request({ type: 'auth', token: await token(`u-${role}`, role, { name: `Name ${role}` }) });
      assert.equal(reply.type, 'authenticated');
      assert.ok(reply.type === 'authenticated' && reply.user === `u-${role}` && reply.role === role && reply.name === `Name ${role}` && reply.expiresAt! > Date.now());
    }
  });

  it('forged, expired and wrong-audience tokens are refused (unauthenticated), and nothing else is answered without a token', async () => {
    const c = await connect();
    const cases: Array<[string, RegExp]> = [
      [await token('mallory', 'admin', { secret: 'another-secret-of-at-least-thirty-two-chars' }), /signature/],
      [await token('late', 'student', { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
      [await token('elsewhere', 'student', { audience: 'another-app' }), /aud/],
      ['not.a.jwt', /not valid|could not/],
    ];
    for (const [t, why] of cases) {
      const reply = (await c.request({ type: 'auth', token: t })) as Err;
      assert.equal(reply.code, 'unauthenticated', JSON.stringify(reply));
      assert.match(reply.message, why);
      assert.ok(!reply.message.includes(t), 'the refusal does not repeat the token');
    }
    const anon = (await c.request({ type: 'execute', language: 'python', code: 'x = 1' })) as Err;
    assert.equal(anon.code, 'unauthenticated');
    assert.ok(!server.logs.some((l) => cases.some(([t]) => l.includes(t))), 'no token reaches the log');
  });

  it('a token is refreshed in band before it expires; an expired one stops the connection until then; the user cannot change', async () => {
    const c = await connect();
    assert.equal((await c.request({ type: 'auth', token: await token('fresh', 'student', { expiresIn: Math.floor(Date.now() / 1000) + 2 }) })).type, 'authenticated');
    await new Promise((r) => setTimeout(r, 2500));
    const stale = (await c.request({ type: 'unsubscribe', session: 'nothing' })) as Err;
    assert.equal(stale.code, 'unauthenticated');
    assert.match(stale.message, /expired/);
    assert.equal((await c.request({ type: 'auth', token: await token('fresh', 'student') })).type, 'authenticated');
    assert.equal((await c.request({ type: 'unsubscribe', session: 'nothing' })).type, 'unsubscribed');
    const other = (await c.request({ type: 'auth', token: await token('someone-else', 'admin') })) as Err;
    assert.equal(other.code, 'forbidden');
  });

  it('a token in Sec-WebSocket-Protocol authenticates the connection and is not echoed', async () => {
    const c = await connect(['tracecast', `bearer.${await token('teacher-h', 'instructor')}`]);
    assert.equal(c.ws.protocol, 'tracecast');
    const opened = await c.request({ type: 'session.open', title: 'header token' });
    assert.equal(opened.type, 'session.opened', JSON.stringify(opened));
  });

  it('a connection without a token is closed (4003) after the deadline', async () => {
    const c = await connect();
    await new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
    assert.equal(c.closeCode, 4003);
  });

  it('the CLI presents --token (or TRACECAST_TOKEN) as the connection\'s token; without one it says why and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tracecast-cli-'));
    const file = path.join(dir, 'sum.py');
    writeFileSync(file, 'print(sum([1, 2, 3]))\n');
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const anonymous = await runCli(['run', file, '--server', base], {}, CLI_WAIT);
      assert.equal(anonymous.code, 2, anonymous.stderr);
      assert.match(anonymous.stderr, /unauthenticated: .*requires a token/);
      const flagged = await runCli(['run', file, '--server', base, '--token', await token('cli-1', 'student')], {}, CLI_WAIT);
      assert.equal(flagged.code, 0, flagged.stderr);
      assert.match(flagged.stdout, /^ *> 6$/m);
      const fromEnv = await runCli(['run', file, '--server', base], { TRACECAST_TOKEN: await token('cli-2', 'student') }, CLI_WAIT);
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      const expired = await runCli(['run', file, '--server', base, '--token', await token('cli-3', 'student', { expiresIn: Math.floor(Date.now() / 1000) - 3600 })], {}, CLI_WAIT);
      assert.equal(expired.code, 2);
      assert.match(expired.stderr, /unauthenticated: the connection's token was refused/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a student cannot open a class session; an instructor can, from any of its connections; an admin closes any', async () => {
    const student = await signedIn('stu-1', 'student');
    const refused = (await student.request({ type: 'session.open', title: 'nope' })) as Err;
    assert.equal(refused.code, 'forbidden', JSON.stringify(refused));
    const teacher = await signedIn('teach-1', 'instructor');
    const opened = await teacher.request({ type: 'session.open', title: 'Class' });
    assert.equal(opened.type, 'session.opened');
    const session = opened.type === 'session.opened' ? opened.session : '';
    // The same user on another connection needs no owner key; a student with a wrong one is refused.
    const again = await signedIn('teach-1', 'instructor');
    assert.equal((await again.request({ type: 'session.rename', session, ownerKey: 'x', title: 'Renamed' })).type, 'ok');
    assert.equal(((await student.request({ type: 'session.close', session, ownerKey: 'x' })) as Err).code, 'forbidden');
    const admin = await signedIn('root', 'admin');
    assert.equal((await admin.request({ type: 'session.close', session, ownerKey: 'x' })).type, 'ok');
  });

  it('session.open per user trips at its number with retryAfterMs', async () => {
    const teacher = await signedIn('teach-2', 'instructor');
    for (let i = 0; i < 2; i++) assert.equal((await teacher.request({ type: 'session.open', title: `s${i}` })).type, 'session.opened');
    const refused = (await teacher.request({ type: 'session.open', title: 'third' })) as Err;
    assert.equal(refused.code, 'rate_limited', JSON.stringify(refused));
    assert.ok(refused.retryAfterMs! > 0 && refused.retryAfterMs! <= 3600_000);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(metrics, /tracecast_refusals_total\{limit="session_opens"\} 1/);
  });

  it('runs per user trip at their number, counted per user across connections', async () => {
    const a = await signedIn('runner-1', 'student');
    const { ended } = await a.execute('python', 'x = 1', {}, 120_000);
    assert.equal(ended.verdict, 'ok');
    const b = await signedIn('runner-1', 'student');
    const { ended: second } = await b.execute('python', 'y = 2', {}, 120_000);
    assert.equal(second.verdict, 'ok');
    const refused = (await b.request({ type: 'execute', language: 'python', code: 'z = 3' })) as Err;
    assert.equal(refused.code, 'rate_limited', JSON.stringify(refused));
    assert.ok(refused.retryAfterMs! > 0 && refused.retryAfterMs! <= 60_000);
  });

  it('two students behind one address join one class though one of them mistyped the code', async () => {
    const teacher = await signedIn('teach-3', 'instructor');
    const opened = await teacher.request({ type: 'session.open', title: 'NAT class' });
    const joinCode = opened.type === 'session.opened' ? opened.joinCode : '';
    const typo = await signedIn('stu-typo', 'student');
    for (let i = 0; i < 3; i++) assert.equal(((await typo.request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err).code, 'not_found');
    assert.equal(((await typo.request({ type: 'subscribe', code: joinCode })) as Err).code, 'rate_limited', 'the student who mistyped waits');
    const classmate = await signedIn('stu-ok', 'student');
    assert.equal((await classmate.request({ type: 'subscribe', code: joinCode })).type, 'subscribed', 'the classmate is not locked out');
  });

  it('X-Forwarded-For from a trusted proxy is the address wrong join codes count against', async () => {
    const from = (ip: string) => connect(undefined, { 'X-Forwarded-For': ip });
    // Five wrong codes from 198.51.100.1 (two connections of students), then that address is refused and another is not.
    for (const sub of ['x1', 'x2']) {
      const c = await from('198.51.100.1');
      assert.equal((await c.request({ type: 'auth', token: await token(sub, 'student') })).type, 'authenticated');
      for (let i = 0; i < (sub === 'x1' ? 3 : 2); i++) await c.request({ type: 'subscribe', code: 'ZZZZZZ' });
    }
    const third = await from('198.51.100.1');
    await third.request({ type: 'auth', token: await token('x3', 'student') });
    const refused = (await third.request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err;
    assert.equal(refused.code, 'rate_limited', JSON.stringify(refused));
    assert.match(refused.message, /address/);
    const elsewhere = await from('203.0.113.9');
    await elsewhere.request({ type: 'auth', token: await token('x4', 'student') });
    assert.equal(((await elsewhere.request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err).code, 'not_found');
  });
});

describe('X-Forwarded-For without a trusted proxy', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { TRACECAST_JOIN_ATTEMPTS_PER_ADDRESS: '2' } });
  });
  after(() => server?.close());

  it('is ignored: the socket\'s address is the one counted', async () => {
    const clients = await Promise.all(['198.51.100.1', '198.51.100.2', '203.0.113.9'].map((ip) => TestClient.connect(server.url, undefined, { 'X-Forwarded-For': ip })));
    assert.equal(((await clients[0].request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err).code, 'not_found');
    assert.equal(((await clients[1].request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err).code, 'not_found');
    // Claiming a third address does not escape the count of the real one.
    const refused = (await clients[2].request({ type: 'subscribe', code: 'ZZZZZZ' })) as Err;
    assert.equal(refused.code, 'rate_limited', JSON.stringify(refused));
    for (const c of clients) c.close();
  });
});
