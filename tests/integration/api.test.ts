/** The JSON API over real HTTP: problems without hidden cases, run summaries, a session's runs, stats and leaderboards from real graded runs. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const file = (name: string) => readFileSync(new URL(`../../problems/${name}`, import.meta.url), 'utf8');
const twoSum = JSON.parse(file('two_sum.json')) as { cases: Array<{ id: string; hidden: boolean; expected: unknown }> };

describe('JSON API', () => {
  let server: TestServer;
  let client: TestClient;
  let base: string;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, any> };
  };
  const runs: Record<string, { run: string; session: string }> = {};

  before(async () => {
    // The in-process store: its stats count exactly the runs of this test.
    server = await startTestServer();
    base = server.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    client = await TestClient.connect(server.url);
    for (const [name, path] of [['right', 'solutions/two_sum.py'], ['wrong', 'solutions/wrong/two_sum.py'], ['right-js', 'solutions/two_sum.js']] as const) {
      const { accepted, ended } = await client.execute(path.endsWith('.js') ? 'javascript' : 'python', file(path), { type: 'test', problem: 'two_sum' }, 90_000);
      assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
      runs[name] = { run: accepted.run, session: accepted.session };
    }
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('lists the problems', async () => {
    const { status, type, body } = await get('/api/problems');
    assert.equal(status, 200);
    assert.equal(type, 'application/json');
    const slugs = (body as unknown as Array<{ slug: string }>).map((p) => p.slug);
    assert.ok(slugs.includes('two_sum') && slugs.includes('binary_search'), slugs.join(' '));
  });

  it('shows a problem with its public cases only', async () => {
    const { status, body } = await get('/api/problems/two_sum');
    assert.equal(status, 200);
    const hidden = twoSum.cases.filter((c) => c.hidden);
    assert.ok(hidden.length > 0);
    assert.equal(body.hiddenCases, hidden.length);
    assert.deepEqual(body.cases.map((c: { id: string }) => c.id), twoSum.cases.filter((c) => !c.hidden).map((c) => c.id));
    const text = JSON.stringify(body);
    for (const c of hidden) assert.ok(!text.includes(`"${c.id}"`), `hidden case ${c.id} is not named`);
    assert.ok(body.languages.python.starter.length > 0);
  });

  it('gives a run\'s summary (without its code) and a session\'s runs', async () => {
    const { status, body } = await get(`/api/runs/${runs.wrong.run}`);
    assert.equal(status, 200);
    assert.equal(body.verdict, 'ok');
    assert.equal(body.test.problem, 'two_sum');
    assert.ok(body.test.passed < body.test.total, JSON.stringify(body.test));
    assert.equal(body.code, undefined);
    const session = await get(`/api/sessions/${runs.right.session}/runs`);
    assert.deepEqual(session.body.map((r: { run: string }) => r.run), Object.values(runs).map((r) => r.run));
  });

  it('counts attempts and solutions per problem, and ranks the solving runs', async () => {
    const { body } = await get('/api/problems/two_sum/stats');
    assert.equal(body.attempts, 3);
    assert.equal(body.solved, 2);
    assert.equal(body.passRate, 2 / 3);
    assert.deepEqual(body.byLanguage, { python: { attempts: 2, solved: 1 }, javascript: { attempts: 1, solved: 1 } });
    assert.ok(body.medianSolvedWallMs > 0);
    const board = await get('/api/problems/two_sum/leaderboard');
    // One entry per session (the identity the server has): the faster of its two solving runs.
    assert.equal(board.body.entries.length, 1);
    assert.ok([runs.right.run, runs['right-js'].run].includes(board.body.entries[0].run));
    assert.equal(board.body.entries[0].rank, 1);
  });

  it('answers 404 with a JSON error for what does not exist', async () => {
    for (const path of ['/api/problems/no_such', '/api/runs/nope', '/api/problems/no_such/stats', '/api/nothing']) {
      const { status, body } = await get(path);
      assert.equal(status, 404, path);
      assert.equal(body.error, 'not_found');
    }
  });
});
