/** Fan-out through Redis: every subscriber of a session, early or late, receives byte-identical frames in order. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient, type Received } from '../support/ws-client.ts';

const BUBBLE = `nums = [5, 2, 9, 1, 7, 3]
n = len(nums)
for i in range(n):
    for j in range(n - 1 - i):
        if nums[j] > nums[j + 1]:
            nums[j], nums[j + 1] = nums[j + 1], nums[j]
print(nums)
`;

const sessionFrames = (c: TestClient, session: string): Received[] => c.received.filter((r) => 'session' in r.frame && r.frame.session === session && 'pos' in r.frame);

describe('session fan-out', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startTestServer({ redis: true });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('two subscribers get byte-identical sequences; a third subscribing after the end gets the same', async () => {
    const [runnerClient, a, b] = await Promise.all([0, 1, 2].map(() => TestClient.connect(server.url)));
    clients.push(runnerClient, a, b);
    const opened = await runnerClient.request({ type: 'session.open', title: 'fan-out' });
    assert.equal(opened.type, 'session.opened');
    const { session, ownerKey } = opened as Extract<typeof opened, { type: 'session.opened' }>;
    for (const c of [a, b]) {
      c.send({ type: 'subscribe', id: 's', session });
      await c.waitFor((f) => f.type === 'subscribed');
    }
    const { ended } = await runnerClient.execute('python', BUBBLE, { session, ownerKey });
    assert.equal(ended.verdict, 'ok');
    for (const c of [a, b]) await c.waitFor((f) => f.type === 'run.ended');
    const late = await TestClient.connect(server.url);
    clients.push(late);
    late.send({ type: 'subscribe', session });
    await late.waitFor((f) => f.type === 'run.ended');

    const seqA = sessionFrames(a, session);
    const seqB = sessionFrames(b, session);
    const seqLate = sessionFrames(late, session);
    const seqOwner = sessionFrames(runnerClient, session);
    assert.ok(seqA.length >= 4, `got ${seqA.length} frames`);
    assert.equal(seqA[0].frame.type, 'run.started');
    for (const [name, seq] of [['b', seqB], ['late joiner', seqLate], ['the caller', seqOwner]] as const) {
      assert.equal(seq.length, seqA.length, `${name}: frame count`);
      seq.forEach((r, i) => assert.ok(r.bytes.equals(seqA[i].bytes), `${name}: frame ${i} differs`));
    }
  });

  it('subscribe with a position replays only what follows it, then goes live, without gap or duplicate', async () => {
    const [owner, watcher] = await Promise.all([0, 1].map(() => TestClient.connect(server.url)));
    clients.push(owner, watcher);
    const opened = (await owner.request({ type: 'session.open' })) as { session: string; ownerKey: string };
    const { session, ownerKey } = opened;
    const firstRun = await owner.execute('python', 'a = 1\nb = 2\n', { session, ownerKey });
    const first = sessionFrames(owner, session);
    const cut = first[1].frame as { pos: string };
    watcher.send({ type: 'subscribe', session, position: cut.pos });
    await watcher.waitFor((f) => f.type === 'run.ended');
    await owner.execute('python', 'c = 3\n', { session, ownerKey });
    await watcher.waitFor((f) => f.type === 'run.ended' && f.run !== firstRun.accepted.run);
    const all = sessionFrames(owner, session);
    const seen = sessionFrames(watcher, session);
    assert.equal(seen.length, all.length - 2);
    seen.forEach((r, i) => assert.ok(r.bytes.equals(all[i + 2].bytes), `frame ${i}`));
  });
});
