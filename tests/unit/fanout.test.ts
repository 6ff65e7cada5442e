/**
 * The session fan-out (server/gateway/fanout.ts) over real WebSockets, without Docker, Redis or a child process: a
 * gateway composed as main.ts composes a gateway-only process, but on the in-process log, queue, store and presence.
 * Frames go straight into the log, as a runner's appender puts them there.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compactSteps, encode, withPosition, type Language, type ServerFrame, type UnpositionedFrame } from '../../protocol/index.ts';
import { Cors } from '../../server/api/cors.ts';
import { createApp } from '../../server/app/app.ts';
import { TraceArchive } from '../../server/archive/trace-archive.ts';
import { loadConfig } from '../../server/config.ts';
import { Fanout } from '../../server/gateway/fanout.ts';
import { Gateway } from '../../server/gateway/gateway.ts';
import { StaticSite } from '../../server/gateway/static.ts';
import { newId } from '../../server/ids.ts';
import { flexibleLimits } from '../../server/limits/limits-flexible.ts';
import { createLimitPolicy } from '../../server/limits/policy.ts';
import { MemoryLog } from '../../server/log/log-memory.ts';
import { START, type LogEntry } from '../../server/log/log.ts';
import { createLogger } from '../../server/obs/logger.ts';
import { createMetrics } from '../../server/obs/metrics.ts';
import { MemoryPresence } from '../../server/presence/presence-memory.ts';
import { MemoryQueue } from '../../server/queue/queue-memory.ts';
import { Runner } from '../../server/runner/runner.ts';
import { NO_SANDBOX } from '../../server/sandbox/sandbox.ts';
import { Sessions } from '../../server/sessions/sessions.ts';
import { MemoryStore } from '../../server/store/store-memory.ts';
import { TestClient } from '../support/ws-client.ts';

// CI runs this beside other work on two cores: a wait measures whether something arrives, never how fast.
const BUDGET_MS = 30_000;
// Small, so that a socket that stops reading is taken off the live topic after a few batches.
const SOFT_BUFFER_LIMIT = 64 * 1024;

const log = new MemoryLog({ maxLength: 1_000_000 });
const metrics = createMetrics();
// To stderr: the server logs nothing while every case goes as expected, so whatever it logs is a clue.
const logger = createLogger({ test: 'fanout' });

async function startGateway(): Promise<{ url: string; stop: () => Promise<void> }> {
  const config = loadConfig({});
  const store = new MemoryStore();
  const queue = new MemoryQueue(config.queue);
  const presence = new MemoryPresence();
  const limitPolicy = createLimitPolicy(flexibleLimits(null, 'fanout-test'), config.rateLimits);
  const gateway = new Gateway(
    // uWS's own limit, where it would drop frames, stays far above the soft one as in main.ts.
    { host: '127.0.0.1', port: 0, maxMessageBytes: config.maxMessageBytes, maxBackpressure: 64 * 1024 * 1024, clientAddress: (socket) => socket, authDeadlineMs: null },
    metrics,
    logger,
    newId,
  );
  // Long enough that no subscriber here is closed for being slow: case 4 asserts the catch-up, not the close.
  const fanout = new Fanout(gateway.app, log, metrics, logger, { softBufferLimit: SOFT_BUFFER_LIMIT, slowSubscriberMs: 600_000 }, presence);
  const app = createApp({
    log,
    queue,
    runner: new Runner({ sandbox: NO_SANDBOX, log, store, metrics, logger, limits: config.limits }),
    logger,
    languages: new Set<Language>(),
    limits: config.limits,
    newId,
    accepting: () => true,
    sessions: new Sessions(store),
    limitPolicy,
    auth: { mode: 'off', verifier: null },
    store,
    onProgressError: (err) => logger.error('recording progress failed', { err }),
    problems: new Map(),
    archive: new TraceArchive(store),
    watchers: (session) => fanout.watchers(session),
    forgetOwner: () => undefined,
    prewarm: async () => 0,
  });
  gateway.route({
    app,
    fanout,
    health: () => ({ status: 'ok' }),
    ready: async () => ({ ready: true, status: 'ready', checks: {} }),
    cors: new Cors([]),
    api: async () => ({ status: 404, body: { error: 'not_found' } }),
    // A folder without a viewer build: the site answers every page with "not built".
    site: StaticSite.load(path.join(import.meta.dirname, 'no-viewer-build')),
    admit: (address) => limitPolicy.connection(address),
  });
  const port = await gateway.listen();
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      gateway.stopListening();
      app.closeAll();
      fanout.close();
      await queue.close();
      await presence.close();
      await log.close();
    },
  };
}

/** A run's frames as the runner encodes them: `run.started`, a compact `steps` batch and its `output` per line, `run.ended`. */
function runFrames(session: string, run: string, lines = 2, text = 'line'): Uint8Array[] {
  const frames: UnpositionedFrame[] = [
    { type: 'run.started', session, run, language: 'python', limits: { maxSteps: 100_000, timeoutMs: 10_000, memoryMb: 256, outputBytes: 1_000_000 }, code: 'for i in range(n):\n    print(i)\n' },
  ];
  for (let i = 0; i < lines; i++) {
    frames.push({ type: 'steps', session, run, ...compactSteps([{ i, ev: 'line', line: 2, fn: '<module>', depth: 0, set: [[1, 'i', i]] }]) });
    frames.push({ type: 'output', session, run, stream: 'stdout', text: `${text} ${i}\n`, step: i });
  }
  frames.push({ type: 'run.ended', session, run, verdict: 'ok', wallMs: 12, peakMemKb: 9000, steps: lines });
  return frames.map(encode);
}

const ended = (run: string) => (f: ServerFrame) => f.type === 'run.ended' && f.run === run;
const watching = (session: string, watchers: number) => (f: ServerFrame) => f.type === 'presence' && f.session === session && f.watchers === watchers;

/** The log frames (those with a position) of `session` that `c` received, in arrival order. */
const logged = (c: TestClient, session: string) => c.received.flatMap((r) => ('pos' in r.frame && r.frame.session === session ? [{ pos: r.frame.pos, bytes: r.bytes }] : []));

/** `got` is `want` exactly: every entry once, in log order, each the log's bytes stamped with its position. */
function assertLogFrames(got: Array<{ pos: string; bytes: Buffer }>, want: LogEntry[], who: string): void {
  assert.deepEqual(got.map((g) => g.pos), want.map((e) => e.id), `${who}: positions`);
  got.forEach((g, k) => assert.ok(g.bytes.equals(withPosition(want[k].frame, want[k].id)), `${who}: frame ${k} is not the log's bytes`));
}

async function newSession(): Promise<string> {
  const session = newId();
  await log.create(session);
  return session;
}

async function slowSubscribers(outcome: 'behind' | 'closed'): Promise<number> {
  return (await metrics.slowSubscribers.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('session fan-out over the in-process log', { timeout: 300_000 }, () => {
  let url: string;
  let stop: () => Promise<void>;
  const clients: TestClient[] = [];

  async function subscriber(session: string, position?: string): Promise<TestClient> {
    const c = await TestClient.connect(url);
    clients.push(c);
    const reply = await c.request({ type: 'subscribe', session, ...(position ? { position } : {}) }, BUDGET_MS);
    assert.equal(reply.type, 'subscribed', JSON.stringify(reply));
    return c;
  }

  before(async () => {
    ({ url, stop } = await startGateway());
  });
  after(async () => {
    // Terminated rather than closed: a socket left paused by a failed case would never finish a closing handshake.
    for (const c of clients) c.ws.terminate();
    await stop();
  });

  it('subscribers get the log byte for byte, in order, with positions; one subscribing afterwards catches up to the same', async () => {
    const session = await newSession();
    const [a, b] = [await subscriber(session), await subscriber(session)];
    const run = newId();
    const [started, ...rest] = runFrames(session, run, 5);
    // The start reaches them before the rest is appended: the live frames come in two batches of the tail.
    await log.append(session, [started]);
    for (const c of [a, b]) await c.waitFor((f) => f.type === 'run.started' && f.run === run, BUDGET_MS);
    await log.append(session, rest);
    for (const c of [a, b]) await c.waitFor(ended(run), BUDGET_MS);
    const late = await subscriber(session);
    await late.waitFor(ended(run), BUDGET_MS);
    const want = await log.range(session, START);
    assert.equal(want.length, 12);
    for (const [who, c] of [['a', a], ['b', b], ['late', late]] as const) assertLogFrames(logged(c, session), want, who);
  });

  it('a subscriber resuming from its last position gets exactly what followed, also while frames keep coming', async () => {
    const session = await newSession();
    // Keeps the session's tail live and moving while the other resumes: the hand-over from log to topic is what is tested.
    const watcher = await subscriber(session);
    const first = newId();
    const gone = await subscriber(session);
    await log.append(session, runFrames(session, first));
    await gone.waitFor(ended(first), BUDGET_MS);
    const last = logged(gone, session).at(-1)!.pos;
    gone.close();
    await log.append(session, runFrames(session, newId()));
    const third = newId();
    const appending = (async () => {
      for (const frame of runFrames(session, third, 100)) {
        await log.append(session, [frame]);
        await nextTurn();
      }
    })();
    const resumed = await subscriber(session, last);
    await appending;
    await resumed.waitFor(ended(third), BUDGET_MS);
    await watcher.waitFor(ended(third), BUDGET_MS);
    assertLogFrames(logged(resumed, session), await log.range(session, last), 'resumed');
    assertLogFrames(logged(watcher, session), await log.range(session, START), 'watcher');
  });

  it('a subscriber of one session receives nothing of another', async () => {
    const [mine, other] = [await newSession(), await newSession()];
    const [a, b] = [await subscriber(mine), await subscriber(other)];
    const [runA, runB] = [newId(), newId()];
    await log.append(other, runFrames(other, runB));
    await b.waitFor(ended(runB), BUDGET_MS);
    // The other session's frames went out first: on a's socket, any of them would arrive ahead of its own run's end.
    await log.append(mine, runFrames(mine, runA));
    await a.waitFor(ended(runA), BUDGET_MS);
    assert.deepEqual(a.frames.filter((f) => 'session' in f && f.session !== mine), []);
    assertLogFrames(logged(a, mine), await log.range(mine, START), 'a');
  });

  it('a subscriber that stops reading holds no one back, and gets every frame in order once it reads again', async () => {
    const session = await newSession();
    const [fast, slow] = [await subscriber(session), await subscriber(session)];
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const behindBefore = await slowSubscribers('behind');
    const run = newId();
    const frames = runFrames(session, run, 4000, 'x'.repeat(8 * 1024));
    const end = frames.pop()!;
    // Batches paced by the fast subscriber, until the paused one's send buffer has outgrown the kernel's socket
    // buffers (their size varies with the host) and the fan-out has fed it from the log instead; then two more.
    let extra = 2;
    while (extra > 0) {
      assert.ok(frames.length > 0, 'all frames appended and the paused subscriber was never taken off the live topic');
      const ids = await log.append(session, frames.splice(0, 64));
      await fast.waitFor((f) => 'pos' in f && f.pos === ids.at(-1), BUDGET_MS);
      if ((await slowSubscribers('behind')) > behindBefore) extra--;
    }
    await log.append(session, [end]);
    // Still paused: a fan-out held back by it would not get the end to the fast one.
    await fast.waitFor(ended(run), BUDGET_MS);
    socket.resume();
    await slow.waitFor(ended(run), BUDGET_MS);
    const want = await log.range(session, START);
    assertLogFrames(logged(fast, session), want, 'fast');
    assertLogFrames(logged(slow, session), want, 'slow');
    assert.equal(slow.closeCode, null);
    assert.equal(await slowSubscribers('closed'), 0);
  });

  it('announces watcher counts that go up as subscribers join and down as they leave', async () => {
    const session = await newSession();
    const first = await subscriber(session);
    await first.waitFor(watching(session, 1), BUDGET_MS);
    const [second, third] = [await subscriber(session), await subscriber(session)];
    for (const c of [first, second, third]) await c.waitFor(watching(session, 3), BUDGET_MS);
    // Counts seen so far do not count: only those announced after each one leaves.
    const [fromFirst, fromSecond] = [first.received.length, second.received.length];
    const unsubscribed = await third.request({ type: 'unsubscribe', session }, BUDGET_MS);
    assert.equal(unsubscribed.type, 'unsubscribed');
    await first.waitFor(watching(session, 2), BUDGET_MS, fromFirst);
    await second.waitFor(watching(session, 2), BUDGET_MS, fromSecond);
    const fromLast = first.received.length;
    second.close();
    await first.waitFor(watching(session, 1), BUDGET_MS, fromLast);
  });
});
