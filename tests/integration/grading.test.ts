/** `test` through a real WebSocket and container: graded case by case on the server; hidden expectations never sent. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { encode, type ServerFrame } from '../../protocol/index.ts';
import { parseProblem } from '../../server/problems/problem.ts';
import { type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const file = (p: string) => readFileSync(fileURLToPath(new URL(`../../problems/${p}`, import.meta.url)), 'utf8');
const twoSum = parseProblem(JSON.parse(file('two_sum.json')));

describe('graded tests', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient());
  });
  after(() => stopWithClient(server, client));

  const cases = (frames: ServerFrame[]) => frames.filter((f): f is F<'test.case'> => f.type === 'test.case');

  for (const [language, ext] of [['python', 'py'], ['javascript', 'js']] as const) {
    it(`${language}: a correct two_sum passes every case, each reported as it finishes, then the summary`, async () => {
      const { frames, ended } = await client.execute(language, file(`solutions/two_sum.${ext}`), { type: 'test', problem: 'two_sum' }, 60_000);
      assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
      const got = cases(frames);
      assert.deepEqual(got.map((c) => c.case), twoSum.cases.map((c) => c.id));
      assert.ok(got.every((c) => c.passed), JSON.stringify(got.filter((c) => !c.passed)));
      const summary = frames.find((f): f is F<'test.summary'> => f.type === 'test.summary')!;
      assert.deepEqual([summary.passed, summary.total, summary.passRate], [twoSum.cases.length, twoSum.cases.length, 1]);
      for (const c of got) {
        if (c.hidden) assert.deepEqual([c.input, c.expected, c.actual], [undefined, undefined, undefined], 'hidden cases reveal nothing');
        else assert.ok(c.input !== undefined && c.expected !== undefined && c.actual !== undefined);
      }
    });

    it(`${language}: a wrong two_sum fails exactly the cases it should, and no hidden expectation is ever sent`, async () => {
      const start = client.received.length;
      const { frames } = await client.execute(language, file(`solutions/wrong/two_sum.${ext}`), { type: 'test', problem: 'two_sum' }, 60_000);
      const failed = cases(frames).filter((c) => !c.passed).map((c) => c.case).sort();
      assert.deepEqual(failed, ['dup_far', 'dup_pair', 'zeros']);
      const publicExpected = new Set(twoSum.cases.filter((c) => !c.hidden).map((c) => Buffer.from(encode(c.expected)).toString('hex')));
      const secrets = twoSum.cases
        .filter((c) => c.hidden)
        .map((c) => Buffer.from(encode(c.expected)))
        .filter((b) => b.length >= 3 && !publicExpected.has(b.toString('hex')));
      assert.ok(secrets.length >= 3, 'distinctive hidden expectations to look for');
      for (const r of client.received.slice(start)) for (const s of secrets) assert.ok(!r.bytes.includes(s), `a frame contains the hidden expectation ${s.toString('hex')}`);
    });
  }

  it('a case that raises or runs too long fails that case only', async () => {
    const code = 'def two_sum(nums, target):\n    if len(nums) == 2:\n        raise ValueError("two")\n    if len(nums) > 1000:\n        while True:\n            pass\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n    return []\n';
    const { frames, ended } = await client.execute('python', code, { type: 'test', problem: 'two_sum' }, 60_000);
    assert.equal(ended.verdict, 'ok');
    const byId = new Map(cases(frames).map((c) => [c.case, c]));
    assert.equal(byId.get('dup_pair')?.status, 'error');
    assert.equal(byId.get('dup_pair')?.error?.type, 'ValueError');
    assert.equal(byId.get('perf_100k')?.status, 'timeout');
    assert.equal(byId.get('ex1')?.passed, true);
  });

  it('bad input: unknown problem, missing entry, wrong arity, incomparable output', async () => {
    client.send({ type: 'test', id: 'np', language: 'python', code: 'x = 1', problem: 'no_such_problem' });
    const np = await client.waitFor((f) => 'id' in f && f.id === 'np');
    assert.equal(np.type === 'error' && np.code, 'not_found');
    const missing = await client.execute('python', 'def other():\n    pass\n', { type: 'test', problem: 'two_sum' }, 60_000);
    assert.equal(missing.ended.verdict, 'runtime_error');
    assert.equal(missing.ended.error?.type, 'EntryNotFound');
    const arity = await client.execute('python', 'def two_sum(nums):\n    return []\n', { type: 'test', problem: 'two_sum' }, 60_000);
    assert.equal(arity.ended.error?.type, 'EntryArity');
    const set = await client.execute('python', 'def two_sum(nums, target):\n    return {0, 1}\n', { type: 'test', problem: 'two_sum' }, 60_000);
    const ex1 = cases(set.frames).find((c) => c.case === 'ex1')!;
    assert.equal(ex1.passed, false);
    assert.match(ex1.reason ?? '', /set/);
  });
});
