/** Progress per user and problem and the leaderboard by user, through REST: graded runs of two users (with names from their tokens) and an anonymous one. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';
import { authEnv, signToken } from '../support/tokens.ts';
import { TestClient } from '../support/ws-client.ts';

const file = (name: string) => readFileSync(new URL(`../../problems/${name}`, import.meta.url), 'utf8');
const token = (sub: string, name: string, secret?: string) => signToken(sub, 'student', { name, secret });

describe('progress and the leaderboard by user', { timeout: 6 * 60_000 }, () => {
  let server: TestServer;
  let base: string;
  const clients: TestClient[] = [];
  const runs: Record<string, string> = {};

  const get = async (path: string, bearer?: string) => {
    const res = await fetch(`${base}${path}`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
    return { status: res.status, body: (await res.json()) as any };
  };
  const grade = async (client: TestClient, name: string, path: string) => {
    const { accepted, ended } = await client.execute('python', file(path), { type: 'test', problem: 'two_sum' }, 120_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    runs[name] = accepted.run;
  };

  before(async () => {
    // TRACECAST_AUTH=optional (anonymous use stays possible); the default limits apply and this test stays under them.
    server = await startTestServer({ env: authEnv('optional') });
    base = `http://127.0.0.1:${server.port}`;
    const connect = async (t?: string) => {
      const c = await TestClient.connect(server.url);
      clients.push(c);
      if (t) assert.equal((await c.request({ type: 'auth', token: t })).type, 'authenticated');
      return c;
    };
    const ada = await connect(await token('ada', 'Ada Lovelace'));
    await grade(ada, 'ada-wrong', 'solutions/wrong/two_sum.py');
    await grade(ada, 'ada-right', 'solutions/two_sum.py');
    // A reconnect is the same person.
    await grade(await connect(await token('ada', 'Ada Lovelace')), 'ada-again', 'solutions/two_sum.py');
    await grade(await connect(await token('bob', 'Bob')), 'bob', 'solutions/two_sum.py');
    await grade(await connect(), 'anonymous', 'solutions/two_sum.py');
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.close();
  });

  it('GET /api/me/progress gives the caller\'s attempts, best result, first solved and best time', async () => {
    const t = await token('ada', 'Ada Lovelace');
    let body: any;
    // Progress is folded in once the runner has recorded the run, a moment after run.ended.
    for (let i = 0; i < 100; i++) {
      ({ body } = await get('/api/me/progress', t));
      if (body.problems?.[0]?.attempts === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body.user, 'ada');
    assert.equal(body.name, 'Ada Lovelace');
    assert.equal(body.problems.length, 1);
    const p = body.problems[0];
    assert.equal(p.problem, 'two_sum');
    assert.equal(p.attempts, 3);
    assert.equal(p.solved, true);
    assert.equal(p.bestPassed, p.total);
    assert.ok(p.total > 0);
    assert.ok([runs['ada-right'], runs['ada-again']].includes(p.bestRun));
    const best = await get(`/api/runs/${p.bestRun}`);
    assert.equal(best.body.wallMs, p.bestWallMs);
    assert.ok(Date.parse(p.firstSolvedAt) <= Date.parse(p.lastAttemptAt));
    const bob = await get('/api/me/progress', await token('bob', 'Bob'));
    assert.equal(bob.body.problems.length <= 1, true);
  });

  it('refuses /api/me/progress without a valid token (401)', async () => {
    assert.equal((await get('/api/me/progress')).status, 401);
    const forged = await get('/api/me/progress', await token('ada', 'Ada', 'another-secret-of-at-least-thirty-two-chars'));
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error, 'unauthenticated');
  });

  it('ranks users by their best time, with display names, and anonymous sessions apart; stats count every run', async () => {
    const board = (await get('/api/problems/two_sum/leaderboard')).body;
    const who = board.entries.map((e: any) => e.user);
    assert.deepEqual([...who].sort(), [null, 'ada', 'bob'].sort(), JSON.stringify(board.entries));
    const ada = board.entries.find((e: any) => e.user === 'ada');
    assert.equal(ada.name, 'Ada Lovelace');
    assert.ok([runs['ada-right'], runs['ada-again']].includes(ada.run));
    assert.equal(board.entries.find((e: any) => e.user === null).run, runs.anonymous);
    for (let k = 1; k < board.entries.length; k++) {
      const [a, b] = [board.entries[k - 1], board.entries[k]];
      assert.ok(a.wallMs < b.wallMs || (a.wallMs === b.wallMs && (a.peakMemKb ?? Infinity) <= (b.peakMemKb ?? Infinity)), 'fastest first, equal times by memory');
      assert.equal(b.rank, k + 1);
    }
    const stats = (await get('/api/problems/two_sum/stats')).body;
    assert.equal(stats.attempts, 5);
    assert.equal(stats.solved, 4);
  });
});
