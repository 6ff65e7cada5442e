/** `execute` with `entry`/`args`: the tracer calls the function after the top level and `run.ended` carries what it returned; the CLI's --entry/--args; a benchmark size that fails (bench.error). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame, Value } from '../../protocol/index.ts';
import { runCli } from '../support/cli.ts';
import { type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

const FIXTURE = fileURLToPath(new URL('../fixtures/two_sum.py', import.meta.url));
const TWO_SUM = {
  python: readFileSync(FIXTURE, 'utf8'),
  javascript: `function twoSum(nums, target) {
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
  return [];
}
`,
};
const ENTRY = { python: 'two_sum', javascript: 'twoSum' };
const ARGS = [[2, 7, 11, 15], 9];

/** The items of a list result, following its reference into the result's heap. */
function listItems(result: F<'run.ended'>['result']): Value[] | undefined {
  const value = result?.value;
  if (typeof value !== 'object' || value === null || !('r' in value)) return undefined;
  const obj = new Map(result!.heap).get(value.r);
  return obj?.k === 'list' ? obj.items : undefined;
}

describe('execute with entry and args, and benchmark sizes that fail', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient());
  });
  after(() => stopWithClient(server, client));

  for (const language of ['python', 'javascript'] as const) {
    it(`${language}: calls the function on the arguments under tracing; run.ended has its result, time and memory`, async () => {
      const { ended, frames } = await client.execute(language, TWO_SUM[language], { entry: ENTRY[language], args: ARGS }, 60_000);
      assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
      assert.deepEqual(listItems(ended.result), [0, 1], JSON.stringify(ended.result));
      assert.ok(ended.callMs! >= 0 && ended.callMs! <= ended.wallMs, `callMs ${ended.callMs}, wallMs ${ended.wallMs}`);
      assert.ok(ended.callPeakMemKb! > 0, `callPeakMemKb ${ended.callPeakMemKb}`);
      const steps = frames.flatMap((f) => (f.type === 'steps' ? f.steps : []));
      const call = steps.find((s) => s.ev === 'call' && s.fn === ENTRY[language]);
      assert.ok(call, 'the call is traced like any other');
      assert.ok(steps.some((s) => s.ev === 'return' && s.fn === ENTRY[language]), 'and its return');
    });
  }

  it('a result past the caps arrives cut like any heap value; a scalar result is inline', async () => {
    const code = 'def many(n):\n    return list(range(n))\ndef word(n):\n    return "ab" * n\n';
    const list = await client.execute('python', code, { entry: 'many', args: [500] }, 60_000);
    assert.equal(list.ended.verdict, 'ok', JSON.stringify(list.ended));
    const [[, obj]] = list.ended.result!.heap;
    assert.equal(obj.k, 'list');
    assert.ok(obj.k === 'list' && obj.len === 500 && obj.items.length === 100);
    const text = await client.execute('python', code, { entry: 'word', args: [1000] }, 60_000);
    assert.deepEqual(text.ended.result, { value: { sp: 'str', v: 'ab'.repeat(500), len: 2000 }, heap: [] });
    const number = await client.execute('javascript', 'function add(a, b) { return a + b; }\n', { entry: 'add', args: [2, 40] }, 60_000);
    assert.deepEqual(number.ended.result, { value: 42, heap: [] });
  });

  it('a raising function ends runtime_error at its line, with no result', async () => {
    const { ended } = await client.execute('python', 'def f(xs):\n    return xs[10]\n', { entry: 'f', args: [[1, 2]] }, 60_000);
    assert.equal(ended.verdict, 'runtime_error');
    assert.equal(ended.error?.type, 'IndexError');
    assert.equal(ended.error?.line, 2);
    assert.equal(ended.result, undefined);
  });

  it('a missing function, a wrong arity and arguments that cannot be passed each have their own error', async () => {
    for (const language of ['python', 'javascript'] as const) {
      const missing = await client.execute(language, TWO_SUM[language], { entry: 'three_sum', args: ARGS }, 60_000);
      assert.equal(missing.ended.verdict, 'runtime_error');
      assert.equal(missing.ended.error?.type, 'EntryNotFound', JSON.stringify(missing.ended.error));
      assert.match(missing.ended.error!.message, /three_sum/);
      const arity = await client.execute(language, TWO_SUM[language], { entry: ENTRY[language], args: [[1, 2]] }, 60_000);
      assert.equal(arity.ended.verdict, 'runtime_error');
      assert.equal(arity.ended.error?.type, 'EntryArity', JSON.stringify(arity.ended.error));
    }
    const binary = await client.request({ type: 'execute', language: 'python', code: TWO_SUM.python, entry: 'two_sum', args: [new Uint8Array([1, 2]), 3] });
    assert.equal(binary.type, 'error');
    assert.ok(binary.type === 'error' && binary.code === 'invalid_message' && /^args\.0: not a JSON value/.test(binary.message), JSON.stringify(binary));
    let deep: unknown = 1;
    for (let k = 0; k < 150; k++) deep = [deep];
    const nested = await client.request({ type: 'execute', language: 'python', code: TWO_SUM.python, entry: 'two_sum', args: [deep, 1] });
    assert.ok(nested.type === 'error' && nested.code === 'invalid_message' && /nested deeper than 100 levels/.test(nested.message), JSON.stringify(nested));
    const orphan = await client.request({ type: 'execute', language: 'python', code: TWO_SUM.python, args: [1] });
    assert.ok(orphan.type === 'error' && orphan.code === 'invalid_message' && /^args: .*needs `entry`/.test(orphan.message), JSON.stringify(orphan));
  });

  it('C++ refuses entry with a clear error', async () => {
    const reply = await client.request({ type: 'execute', language: 'cpp', code: 'int add(int a, int b) { return a + b; }\nint main() {}\n', entry: 'add', args: [1, 2] });
    assert.ok(reply.type === 'error' && reply.code === 'unsupported_language' && /cpp programs run whole/.test(reply.message), JSON.stringify(reply));
  });

  it('tracecast run --entry --args prints what the function returned', async () => {
    const file = FIXTURE;
    const url = `http://127.0.0.1:${server.port}`;
    const run = await runCli(['run', file, '--server', url, '--entry', 'two_sum', '--args', JSON.stringify(ARGS)], {}, 120_000);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines.at(-2)!, /^returned: \[0, 1\]  \[call [\d.]+ ms/);
    assert.match(lines.at(-1)!, /^verdict: ok\b/);
    assert.ok(lines.some((l) => /^\s+2\s+two_sum\b/.test(l)), 'the call is traced');
    const json = await runCli(['run', file, '--server', url, '--entry', 'two_sum', '--args', JSON.stringify(ARGS), '--format', 'ndjson'], {}, 120_000);
    const ended = JSON.parse(json.stdout.trimEnd().split('\n').at(-1)!);
    assert.equal(ended.type, 'run.ended');
    assert.deepEqual(listItems(ended.result), [0, 1]);
    const orphan = await runCli(['run', file, '--server', url, '--args', '[1]']);
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /--args needs --entry/);
    const notList = await runCli(['run', file, '--server', url, '--entry', 'two_sum', '--args', '{"nums": [1]}']);
    assert.equal(notList.code, 2);
    assert.match(notList.stderr, /--args is a JSON array/);
  });

  for (const language of ['python', 'javascript'] as const) {
    it(`benchmark, ${language}: a size that fails sends bench.error and the next sizes are measured`, async () => {
      const code =
        language === 'python'
          ? 'def total(xs):\n    if len(xs) == 200:\n        raise ValueError("no 200")\n    s = 0\n    for x in xs:\n        s += x\n    return s\n'
          : 'function total(xs) {\n  if (xs.length === 200) throw new RangeError("no 200");\n  let s = 0;\n  for (const x of xs) s += x;\n  return s;\n}\n';
      const { ended, frames } = await client.execute(
        language,
        code,
        { type: 'benchmark', entry: 'total', generator: { builtin: 'random_ints', seed: 1 }, sizes: [100, 200, 400, 800, 1600], repeats: 2 },
        120_000,
      );
      assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
      const sizes = frames.filter((f) => f.type === 'bench.point' || f.type === 'bench.error').map((f) => [f.type, (f as F<'bench.point'>).n]);
      assert.deepEqual(sizes, [
        ['bench.point', 100],
        ['bench.error', 200],
        ['bench.point', 400],
        ['bench.point', 800],
        ['bench.point', 1600],
      ]);
      const error = frames.find((f): f is F<'bench.error'> => f.type === 'bench.error')!;
      assert.equal(error.error.type, language === 'python' ? 'ValueError' : 'RangeError');
      assert.equal(error.error.line, language === 'python' ? 3 : 2, 'the line that raised');
      const fit = frames.find((f): f is F<'bench.fit'> => f.type === 'bench.fit')!;
      assert.equal(fit.verdict?.cls, 'O(n)');
      assert.ok(fit.ops && fit.ops.rSquared! > 0.9 && Math.abs(fit.ops.growth! - 1) < 0.2, JSON.stringify(fit.ops));
    });
  }
});
