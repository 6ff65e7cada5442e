/** Every verdict of a Python run, through a real WebSocket, a real container and the Redis session log. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { containersOf, type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type Frame = ServerFrame;
/** The timeout test's own limit; every other program here gets the server's, which is generous for a busy machine. */
const TIMEOUT_MS = 3000;
const SERVER_TIMEOUT_MS = 120_000;

describe('python run verdicts', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient({ redis: true, env: { TRACECAST_TIMEOUT_MS: String(SERVER_TIMEOUT_MS), TRACECAST_MAX_STEPS: '100000000', TRACECAST_OUTPUT_BYTES: '65536' } }));
  });
  after(() => stopWithClient(server, client));

  const steps = (frames: Frame[]) => frames.flatMap((f) => (f.type === 'steps' ? f.steps : []));
  const output = (frames: Frame[]) => frames.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join('');

  it('ok: frames in order — run.started, steps, output, run.ended — with positions', async () => {
    const { ended, frames } = await client.execute('python', 'total = 0\nfor i in range(3):\n    total += i\nprint("total", total)\n');
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.equal(frames[0].type, 'run.started');
    assert.equal(frames[frames.length - 1].type, 'run.ended');
    assert.equal(output(frames), 'total 3\n');
    const s = steps(frames);
    assert.equal(ended.steps, s.length);
    assert.deepEqual(s.map((x) => x.i), s.map((_, i) => i));
    assert.deepEqual(s.filter((x) => x.ev === 'line').map((x) => x.line), [1, 2, 3, 2, 3, 2, 3, 2, 4]);
    const positions = frames.map((f) => (f as { pos: string }).pos);
    assert.ok(positions.every((p) => /^\d+-\d+$/.test(p)));
    assert.equal(new Set(positions).size, positions.length);
    assert.ok(ended.wallMs > 0 && ended.peakMemKb !== null && ended.peakMemKb > 0);
  });

  it('runtime_error: uncaught exception with type, message and line', async () => {
    const { ended, frames } = await client.execute('python', 'def f(x):\n    return 10 / x\n\nf(0)\n');
    assert.equal(ended.verdict, 'runtime_error');
    assert.equal(ended.error?.type, 'ZeroDivisionError');
    assert.match(ended.error!.message, /division by zero/);
    assert.equal(ended.error?.line, 2);
    assert.ok(steps(frames).some((s) => s.ev === 'exception' && s.line === 2));
  });

  it('runtime_error: a syntax error, with its line', async () => {
    const { ended } = await client.execute('python', 'x = 1\ndef broken(:\n    pass\n');
    assert.equal(ended.verdict, 'runtime_error');
    assert.equal(ended.error?.type, 'SyntaxError');
    assert.equal(ended.error?.line, 2);
  });

  it('timeout: an infinite loop is stopped at its limit and its container is gone', async (t) => {
    const t0 = Date.now();
    // Each iteration is one step of a few ms: a loop of cheap steps would reach the 1,000,000-step cap
    // (verdict step_limit) before the timeout now that the tracer takes about a microsecond a step.
    const { ended, accepted } = await client.execute('python', 'n = 0\nwhile True:\n    n += sum(range(100000))\n', { limits: { timeoutMs: TIMEOUT_MS } }, SERVER_TIMEOUT_MS);
    const elapsed = Date.now() - t0;
    t.diagnostic(`ended ${elapsed} ms after execute was sent`);
    assert.equal(ended.verdict, 'timeout');
    // Stopped by the request's limit, not the server's (far beyond it).
    assert.equal(ended.error?.message, `wall-clock limit of ${TIMEOUT_MS} ms reached`);
    assert.ok(elapsed < SERVER_TIMEOUT_MS / 2, `ended after ${elapsed} ms`);
    // The server's log comes through a pipe: its line may land a moment after run.ended did.
    const find = () => server.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'run ended' && l.run === accepted.run);
    for (const until = Date.now() + 30_000; !find() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    const record = find();
    assert.ok(record?.sandbox, `the run names its sandbox in the log: ${JSON.stringify(record) ?? server.logs.slice(-5).join('')}`);
    const left = (await containersOf(server.runnerId)).filter((c) => c.Id === record.sandbox);
    assert.deepEqual(left, [], 'the run\'s container is removed before run.ended');
  });

  it('memory_limit: a 300 MB allocation under a 128 MB limit', async () => {
    const { ended } = await client.execute('python', 'blob = "a" * (300 * 1024 * 1024)\nprint(len(blob))\n');
    assert.equal(ended.verdict, 'memory_limit', JSON.stringify(ended));
  });

  it('output_limit: a print loop is cut at the cap, what came before it is delivered', async () => {
    const { ended, frames } = await client.execute('python', 'while True:\n    print("x" * 100)\n');
    assert.equal(ended.verdict, 'output_limit', JSON.stringify(ended));
    const out = output(frames);
    assert.ok(out.length > 60_000 && out.length <= 65536, `delivered ${out.length} bytes`);
  });

  it('step_limit: the cap from the request ends the run, every step before it delivered', async () => {
    const { ended, frames } = await client.execute('python', 'for i in range(10 ** 6):\n    pass\n', { limits: { maxSteps: 500 } });
    assert.equal(ended.verdict, 'step_limit');
    assert.equal(ended.steps, 500);
    assert.equal(steps(frames).length, 500);
  });

  it('cancelled: cancel stops a run', async () => {
    const id = 'cancel-me';
    const from = client.received.length;
    client.send({ type: 'execute', id, language: 'python', code: 'import time\ntime.sleep(60)\n' });
    const accepted = await client.waitFor<Extract<Frame, { type: 'accepted' }>>((f) => 'id' in f && f.id === id, 10_000, from);
    await client.waitFor((f) => f.type === 'steps' && f.run === accepted.run, 10_000, from);
    const t0 = Date.now();
    client.send({ type: 'cancel', run: accepted.run });
    const ended = await client.waitFor<Extract<Frame, { type: 'run.ended' }>>((f) => f.type === 'run.ended' && f.run === accepted.run, 10_000, from);
    assert.equal(ended.verdict, 'cancelled');
    // The program sleeps 60 s: ending well before that is the cancel's doing.
    assert.ok(Date.now() - t0 < 30_000, `cancelled after ${Date.now() - t0} ms`);
  });

  it('program output written straight to fd 1 cannot corrupt the frame channel', async () => {
    const code = 'import os\nos.write(1, b"\\x00\\x00\\x00\\x05garbage")\nos.write(2, b"to stderr\\n")\nx = 1\n';
    const { ended, frames } = await client.execute('python', code);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.match(output(frames), /garbage/);
    assert.match(output(frames), /to stderr/);
  });
});
