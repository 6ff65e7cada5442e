/** The Algorithm Dashboard's JSON dialect on /ws, as its front-end speaks it: JSON text in, JSON text out, every reply read with JSON.parse. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type Message = { type: string } & Record<string, any>;

/** A front-end's connection: sends JSON text, and parses every reply with JSON.parse (a binary reply fails the test). */
class DashboardClient {
  readonly messages: Array<Message & { at: number }> = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false, 'the dialect answers in text frames');
      this.messages.push({ ...JSON.parse(data.toString('utf8')), at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(url: string): Promise<DashboardClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new DashboardClient(ws)));
      ws.once('error', reject);
    });
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for a message (from index `from` on) that matches; returns its index. */
  async waitFor(match: (m: Message) => boolean, from = 0, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m, k) => k >= from && match(m));
      if (i >= 0) return i;
      if (this.closed) throw new Error('connection closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; last messages: ${JSON.stringify(this.messages.slice(-3)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends `message` and returns every message from then until one of `last`'s types. */
  async exchange(message: object | string, last: string[]): Promise<Message[]> {
    const from = this.messages.length;
    this.send(message);
    const end = await this.waitFor((m) => last.includes(m.type), from);
    return this.messages.slice(from, end + 1);
  }

  close(): void {
    this.ws.close();
  }
}

// The Algorithm Dashboard's own programs: they narrate themselves with viz.log_step (JavaScript viz.logStep).
const TWO_SUM_PY = `def two_sum(nums, target):
    seen = {}
    for i, num in enumerate(nums):
        complement = target - num
        viz.log_step(f"Looking for {complement}", {"nums": nums, "seen": seen}, [i])
        if complement in seen:
            viz.log_step("Found the pair", {"nums": nums, "seen": seen}, [seen[complement], i])
            return [seen[complement], i]
        seen[num] = i
    return []
`;
const TWO_SUM_JS = `function twoSum(nums, target) {
  const seen = {};
  for (let i = 0; i < nums.length; i++) {
    const complement = target - nums[i];
    viz.logStep(\`Looking for \${complement}\`, { nums, seen }, [i]);
    if (complement in seen) {
      viz.logStep('Found the pair', { nums, seen }, [seen[complement], i]);
      return [seen[complement], i];
    }
    seen[nums[i]] = i;
  }
  return [];
}
`;
// The same without narration: the dialect draws a step per executed line.
const TWO_SUM_PLAIN = readFileSync(fileURLToPath(new URL('../fixtures/two_sum.py', import.meta.url)), 'utf8');
const TEST_DATA = { nums: [2, 7, 11, 15], target: 9 };

describe('the Algorithm Dashboard dialect', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function dashboard(): Promise<DashboardClient> {
    return DashboardClient.connect(server.url);
  }

  for (const [language, code, name] of [
    ['python', TWO_SUM_PY, 'two_sum'],
    ['javascript', TWO_SUM_JS, 'two_sum'],
  ] as const) {
    it(`EXECUTE_ALGORITHM runs the ${language} two_sum on testData: EXECUTION_STARTED, its labelled steps, EXECUTION_COMPLETED with [0, 1]`, async () => {
      const client = await dashboard();
      try {
        const replies = await client.exchange(
          { type: 'EXECUTE_ALGORITHM', algorithmCode: code, testData: TEST_DATA, algorithmName: name, language },
          ['EXECUTION_COMPLETED', 'EXECUTION_ERROR'],
        );
        const types = replies.map((m) => m.type);
        assert.equal(types[0], 'EXECUTION_STARTED', JSON.stringify(replies.at(-1)));
        assert.equal(types.at(-1), 'EXECUTION_COMPLETED', JSON.stringify(replies.at(-1)));
        const id = replies[0].executionId;
        assert.equal(typeof id, 'string');
        assert.equal(typeof replies[0].timestamp, 'number');
        const steps = replies.filter((m) => m.type === 'EXECUTION_STEP');
        assert.deepEqual(
          steps.map((m) => m.step.description),
          ['Looking for 7', 'Looking for 2', 'Found the pair'],
          'one EXECUTION_STEP per viz.log_step, nothing else',
        );
        for (const [k, m] of steps.entries()) {
          assert.equal(m.executionId, id);
          assert.equal(m.step.stepNumber, k + 1);
          assert.deepEqual(m.step.dataStructure.nums, [2, 7, 11, 15], 'the data structure as given');
          const { time, memory, operations } = m.step.performance;
          assert.ok(time >= 0 && memory > 1024 * 1024 && Number.isInteger(operations) && operations > 0, JSON.stringify(m.step.performance));
        }
        assert.deepEqual(steps[1].step.dataStructure.seen, { 2: 0 });
        assert.deepEqual(steps[2].step.highlights, [0, 1], 'highlights as given');
        assert.ok(steps[1].step.performance.operations > steps[0].step.performance.operations, 'operations count what ran');
        const done = replies.at(-1)!;
        assert.equal(done.executionId, id);
        assert.equal(done.result.success, true);
        assert.deepEqual(done.result.result, [0, 1]);
        assert.ok(done.result.executionTime >= 0 && done.result.memoryUsage > 0, JSON.stringify(done.result));
        assert.equal(done.result.steps.length, 3);
      } finally {
        client.close();
      }
    });
  }

  it('a program without viz steps gets one EXECUTION_STEP per executed line, with its variables as dataStructure', async () => {
    const client = await dashboard();
    try {
      const replies = await client.exchange(
        { type: 'EXECUTE_ALGORITHM', algorithmCode: TWO_SUM_PLAIN + 'print(two_sum([3, 4], 7))\n', language: 'python' },
        ['EXECUTION_COMPLETED', 'EXECUTION_ERROR'],
      );
      assert.equal(replies.at(-1)!.type, 'EXECUTION_COMPLETED', JSON.stringify(replies.at(-1)));
      const steps = replies.filter((m) => m.type === 'EXECUTION_STEP').map((m) => m.step);
      assert.ok(steps.length > 5, `${steps.length} steps`);
      assert.match(steps[0].description, /^Line 1: def two_sum\(nums, target\):$/);
      const inLoop = steps.find((s) => s.description.startsWith('Line 4:') && 'i' in s.dataStructure);
      assert.ok(inLoop, 'a step inside the loop');
      assert.deepEqual(inLoop.dataStructure.nums, [3, 4]);
      assert.equal(inLoop.dataStructure.target, 7);
      assert.ok(!('two_sum' in steps.at(-1)!.dataStructure), 'functions are definitions, not data');
      assert.ok(steps.every((s, k) => s.stepNumber === k + 1));
      assert.equal(replies.at(-1)!.result.output, '[0, 1]\n');
    } finally {
      client.close();
    }
  });

  it('a function that raises gets EXECUTION_ERROR', async () => {
    const client = await dashboard();
    try {
      const code = 'def two_sum(nums, target):\n    return nums[target]\n';
      const replies = await client.exchange({ type: 'EXECUTE_ALGORITHM', algorithmCode: code, testData: TEST_DATA, algorithmName: 'two_sum', language: 'python' }, [
        'EXECUTION_COMPLETED',
        'EXECUTION_ERROR',
      ]);
      const last = replies.at(-1)!;
      assert.equal(last.type, 'EXECUTION_ERROR', JSON.stringify(last));
      assert.equal(last.executionId, replies[0].executionId);
      assert.match(last.error, /^IndexError: .*\(line 2\)$/);
    } finally {
      client.close();
    }
  });

  it('bad JSON and an unknown type get {type: "error", message}; the connection stays', async () => {
    const client = await dashboard();
    try {
      client.send({ type: 'SUBSCRIBE' });
      await client.waitFor((m) => m.type === 'SUBSCRIBED');
      let from = client.messages.length;
      client.send('{"type": "EXECUTE_ALGORITHM", ');
      const bad = client.messages[await client.waitFor((m) => m.type === 'error', from)];
      assert.match(bad.message, /^invalid JSON/);
      from = client.messages.length;
      client.send({ type: 'MAKE_COFFEE' });
      const unknown = client.messages[await client.waitFor((m) => m.type === 'error', from)];
      assert.match(unknown.message, /unknown message type "MAKE_COFFEE"; known: EXECUTE_ALGORITHM, PERFORMANCE_BENCHMARK, RUN_TESTS, SUBSCRIBE/);
      from = client.messages.length;
      client.send({ type: 'EXECUTE_ALGORITHM', language: 'python' });
      const invalid = client.messages[await client.waitFor((m) => m.type === 'EXECUTION_ERROR', from)];
      assert.equal(invalid.executionId, null);
      assert.match(invalid.error, /algorithmCode/);
      const replies = await client.exchange({ type: 'EXECUTE_ALGORITHM', algorithmCode: 'x = 1\n', language: 'python' }, ['EXECUTION_COMPLETED', 'EXECUTION_ERROR']);
      assert.equal(replies.at(-1)!.type, 'EXECUTION_COMPLETED');
    } finally {
      client.close();
    }
  });

  for (const [language, code] of [
    ['python', TWO_SUM_PY],
    ['javascript', TWO_SUM_JS],
  ] as const) {
    it(`PERFORMANCE_BENCHMARK measures the ${language} two_sum at five sizes and names the class: BENCHMARK_PROGRESS ×5, BENCHMARK_COMPLETED`, async () => {
      const client = await dashboard();
      try {
        const replies = await client.exchange({ type: 'PERFORMANCE_BENCHMARK', algorithmCode: code, algorithmName: 'two_sum', language }, [
          'BENCHMARK_COMPLETED',
        ]);
        assert.equal(replies[0].type, 'BENCHMARK_STARTED', JSON.stringify(replies[0]));
        assert.equal(replies[0].totalTests, 5);
        const progress = replies.filter((m) => m.type === 'BENCHMARK_PROGRESS');
        assert.deepEqual(progress.map((m) => m.result.inputSize), [100, 500, 1000, 2500, 5000]);
        assert.deepEqual(progress.map((m) => m.currentTest), [1, 2, 3, 4, 5]);
        for (const m of progress) {
          assert.equal(m.totalTests, 5);
          assert.equal(m.result.success, true);
          assert.ok(m.result.executionTime > 0 && m.result.memoryUsage > 0, JSON.stringify(m.result));
        }
        const done = replies.at(-1)!;
        assert.equal(done.benchmarkId, replies[0].benchmarkId);
        assert.equal(done.results.length, 5);
        const analysis = done.complexityAnalysis;
        assert.equal(analysis.bestFit, 'O(n)', JSON.stringify(analysis));
        assert.ok(analysis.confidence >= 0 && analysis.confidence <= 100 && Number.isInteger(analysis.confidence));
        assert.ok(analysis.rSquared > 0.9 && analysis.rSquared <= 1, JSON.stringify(analysis));
        assert.ok(Math.abs(analysis.growth - 1) < 0.2, `growth exponent ${analysis.growth}`);
      } finally {
        client.close();
      }
    });
  }

  it('PERFORMANCE_BENCHMARK of a C++ function: its timings alone, operations null, and the analysis says why', async () => {
    const client = await dashboard();
    try {
      const code = '#include <vector>\n\nint total(const std::vector<int>& nums) {\n  int s = 0;\n  for (int x : nums) s += x;\n  return s;\n}\n\nint main() { return 0; }\n';
      const replies = await client.exchange({ type: 'PERFORMANCE_BENCHMARK', algorithmCode: code, language: 'c++' }, ['BENCHMARK_COMPLETED', 'BENCHMARK_ERROR']);
      const progress = replies.filter((m) => m.type === 'BENCHMARK_PROGRESS');
      assert.deepEqual(progress.map((m) => m.result.inputSize), [100, 500, 1000, 2500, 5000], JSON.stringify(replies.at(-1)));
      for (const m of progress) assert.ok(m.result.operations === null && m.result.executionTime > 0, JSON.stringify(m.result));
      const analysis = replies.at(-1)!.complexityAnalysis;
      assert.equal(analysis.series, 'time', JSON.stringify(analysis));
      assert.match(analysis.reason, /^C\+\+ has no operation count \(timings only\)/);
    } finally {
      client.close();
    }
  });

  it('a size that fails sends BENCHMARK_ERROR and the series goes on', async () => {
    const client = await dashboard();
    try {
      const code = `def total(xs):
    if len(xs) == 1000:
        raise ValueError("no thousands")
    s = 0
    for x in xs:
        s += x
    return s
`;
      const from = client.messages.length;
      client.send({ type: 'PERFORMANCE_BENCHMARK', algorithmCode: code, algorithmName: 'total', language: 'python' });
      // The series ends with BENCHMARK_COMPLETED, or with a BENCHMARK_ERROR for the whole run (no inputSize).
      const end = await client.waitFor((m) => m.type === 'BENCHMARK_COMPLETED' || (m.type === 'BENCHMARK_ERROR' && m.inputSize === null), from);
      const series = client.messages.slice(from, end + 1);
      assert.equal(series.at(-1)!.type, 'BENCHMARK_COMPLETED', JSON.stringify(series.at(-1)));
      const sizes = series.filter((m) => m.type === 'BENCHMARK_PROGRESS' || m.type === 'BENCHMARK_ERROR').map((m) => [m.type, m.type === 'BENCHMARK_ERROR' ? m.inputSize : m.result.inputSize]);
      assert.deepEqual(sizes, [
        ['BENCHMARK_PROGRESS', 100],
        ['BENCHMARK_PROGRESS', 500],
        ['BENCHMARK_ERROR', 1000],
        ['BENCHMARK_PROGRESS', 2500],
        ['BENCHMARK_PROGRESS', 5000],
      ]);
      const error = series.find((m) => m.type === 'BENCHMARK_ERROR')!;
      assert.match(error.error, /^ValueError: no thousands/);
      assert.equal(client.messages[end].complexityAnalysis.bestFit, 'O(n)');
    } finally {
      client.close();
    }
  });

  it('steps are paced when the client asks (stepDelayMs), and only then', async () => {
    const client = await dashboard();
    try {
      const code = 'for k in range(4):\n    viz.log_step("step " + str(k), [k], [])\n';
      const replies = await client.exchange({ type: 'EXECUTE_ALGORITHM', algorithmCode: code, language: 'python', stepDelayMs: 300 }, ['EXECUTION_COMPLETED', 'EXECUTION_ERROR']);
      const steps = client.messages.filter((m) => m.type === 'EXECUTION_STEP');
      assert.equal(steps.length, 4, JSON.stringify(replies.at(-1)));
      for (let k = 1; k < steps.length; k++) assert.ok(steps[k].at - steps[k - 1].at >= 250, `steps ${k - 1} and ${k} arrived ${steps[k].at - steps[k - 1].at} ms apart`);
      assert.ok(replies.at(-1)!.at >= steps.at(-1)!.at, 'the completion waits behind its steps');
    } finally {
      client.close();
    }
  });

  it('a watcher that SUBSCRIBEs to a class session gets its runs in the dialect, and native clients are unchanged', async () => {
    const owner = await TestClient.connect(server.url);
    const watcher = await dashboard();
    try {
      const opened = await owner.request({ type: 'session.open', title: 'dialect' });
      assert.equal(opened.type, 'session.opened');
      if (opened.type !== 'session.opened') return;
      const subscribed = await watcher.exchange({ type: 'SUBSCRIBE', code: opened.joinCode }, ['SUBSCRIBED', 'error']);
      assert.equal(subscribed.at(-1)!.type, 'SUBSCRIBED');
      assert.equal(subscribed.at(-1)!.session, opened.session);
      const { ended } = await owner.execute('python', 'viz.log_step("hello", [1, 2], [0])\n', { session: opened.session, ownerKey: opened.ownerKey });
      assert.equal(ended.verdict, 'ok');
      const done = await watcher.waitFor((m) => m.type === 'EXECUTION_COMPLETED');
      const steps = watcher.messages.slice(0, done).filter((m) => m.type === 'EXECUTION_STEP');
      assert.deepEqual(steps.map((m) => [m.step.description, m.step.dataStructure, m.step.highlights]), [['hello', [1, 2], [0]]]);
      assert.equal(watcher.messages[done].executionId, ended.run);
    } finally {
      owner.close();
      watcher.close();
    }
  });

  it('a first message in MessagePack, or JSON of a native type, keeps the native protocol', async () => {
    const client = await TestClient.connect(server.url);
    try {
      client.sendRaw(JSON.stringify({ type: 'session.open', id: 'n1', title: 't' }));
      const reply = await client.waitFor((f) => 'id' in f && f.id === 'n1');
      assert.equal(reply.type, 'session.opened');
      client.sendRaw(JSON.stringify({ type: 'EXECUTE_ALGORITHM', id: 'n2', algorithmCode: '' }));
      const refused = await client.waitFor((f) => 'id' in f && f.id === 'n2');
      assert.equal(refused.type, 'error');
    } finally {
      client.close();
    }
  });
});

describe('the dialect across gateways, and for a watcher that falls behind', { timeout: 10 * 60_000 }, () => {
  // Two gateways on one Redis log and one Postgres (join codes): B translates A's runs on its own.
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    // A watcher paused for a whole run stays behind for a while: it must be caught up, not closed.
    const env = { TRACECAST_SLOW_SUBSCRIBER_MS: '300000' };
    [a, b] = await Promise.all([startTestServer({ redis: true, postgres: true, env }), startTestServer({ redis: true, postgres: true, env })]);
  });
  after(() => Promise.all([a?.close(), b?.close()]));

  const strip = (messages: Message[]) => messages.map(({ at: _at, ...m }) => m);

  it('a watcher on another gateway gets the same messages as one on the gateway that ran it', async () => {
    const owner = await TestClient.connect(a.url);
    const [onA, onB] = await Promise.all([DashboardClient.connect(a.url), DashboardClient.connect(b.url)]);
    try {
      const opened = await owner.request({ type: 'session.open', title: 'two gateways' });
      if (opened.type !== 'session.opened') assert.fail(JSON.stringify(opened));
      for (const w of [onA, onB]) assert.equal((await w.exchange({ type: 'SUBSCRIBE', code: opened.joinCode }, ['SUBSCRIBED', 'error'])).at(-1)!.type, 'SUBSCRIBED');
      const program = 'total = 0\nfor i in range(5):\n    total += i\n    viz.log_step(f"i = {i}", [total], [0])\nprint(total)\n';
      const { ended } = await owner.execute('python', program, { session: opened.session, ownerKey: opened.ownerKey }, 120_000);
      assert.equal(ended.verdict, 'ok');
      const [endA, endB] = await Promise.all([onA, onB].map((w) => w.waitFor((m) => m.type === 'EXECUTION_COMPLETED')));
      const fromA = strip(onA.messages.slice(1, endA + 1));
      assert.deepEqual(fromA.map((m) => m.type), ['EXECUTION_STARTED', ...Array(5).fill('EXECUTION_STEP'), 'EXECUTION_COMPLETED']);
      assert.equal(fromA.at(-1)!.result.output, '10\n');
      assert.deepEqual(strip(onB.messages.slice(1, endB + 1)), fromA);
    } finally {
      owner.close();
      onA.close();
      onB.close();
    }
  });

  it('a watcher whose socket stops reading is caught up from the log: every step once, in order, then the end', async () => {
    const owner = await TestClient.connect(a.url);
    const slow = await DashboardClient.connect(b.url);
    try {
      const opened = await owner.request({ type: 'session.open', title: 'flood' });
      if (opened.type !== 'session.opened') assert.fail(JSON.stringify(opened));
      assert.equal((await slow.exchange({ type: 'SUBSCRIBE', session: opened.session }, ['SUBSCRIBED', 'error'])).at(-1)!.type, 'SUBSCRIBED');
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      // 200 steps of ~100 KB each (100 strings of 1,000 characters: the most a step's structure shows), far more
      // than the kernel's socket buffers take, so B's own send buffer fills.
      const STEPS = 200;
      const program = `data = [str(k) * 1000 for k in range(100)]\nfor i in range(${STEPS}):\n    viz.log_step(f"step {i}", data, [i % 100])\n`;
      const { ended } = await owner.execute('python', program, { session: opened.session, ownerKey: opened.ownerKey }, 300_000);
      assert.equal(ended.verdict, 'ok');
      assert.ok((await metric(b, /^tracecast_slow_subscribers_total\{outcome="behind"\} (\d+)$/m)) >= 1, 'B moved the watcher off the live frames');
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const end = await slow.waitFor((m) => m.type === 'EXECUTION_COMPLETED', 0, 300_000);
      const steps = slow.messages.slice(0, end).filter((m) => m.type === 'EXECUTION_STEP');
      assert.deepEqual(steps.map((m) => m.step.description), Array.from({ length: STEPS }, (_, i) => `step ${i}`));
      assert.equal(slow.messages[end].executionId, ended.run);
      assert.equal(slow.closed, false);
    } finally {
      owner.close();
      slow.close();
    }
  });
});
