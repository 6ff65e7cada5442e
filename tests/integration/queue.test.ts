/** One contract test for the run queue, run against every adapter: in-process and BullMQ on Redis. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { Verdict } from '../../protocol/index.ts';
import type { QueuedRun, QueueLimits, QueueWorker, RunQueue } from '../../server/queue/queue.ts';
import { MemoryQueue } from '../../server/queue/queue-memory.ts';
import { queueAdapters, type QueueFactory } from '../support/queue-adapters.ts';
import { skipWithout } from '../support/server.ts';

const job = (owner: string, extra: Partial<QueuedRun> = {}): QueuedRun => ({
  run: nanoid(),
  session: 's',
  owner,
  language: 'python',
  code: 'pass',
  stdin: [],
  maxSteps: 100,
  timeoutMs: 1000,
  submittedAt: Date.now(),
  ...extra,
});

const runnerInfo = () => ({ id: 'test-runner', languages: ['python' as const], down: null, active: 0, warm: {} });

/** A worker whose runs end when the test says so, recording the order they started in. */
function gatedWorker() {
  const started: QueuedRun[] = [];
  const signals = new Map<string, AbortSignal>();
  const releases = new Map<string, (v: Verdict) => void>();
  let wake = () => {};
  const worker: QueueWorker = (j, cancelled) => {
    started.push(j);
    signals.set(j.run, cancelled);
    wake();
    return new Promise((resolve) => {
      const end = (verdict: Verdict) => resolve({ verdict });
      releases.set(j.run, end);
      cancelled.addEventListener('abort', () => end('cancelled'), { once: true });
    });
  };
  const untilStarted = async (n: number, withinMs = 20_000) => {
    const deadline = Date.now() + withinMs;
    while (started.length < n) {
      assert.ok(Date.now() < deadline, `${started.length} of ${n} runs started within ${withinMs} ms`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  const release = (run: string, verdict: Verdict = 'ok') => releases.get(run)!(verdict);
  return { worker, started, signals, untilStarted, release };
}

function endedLog(q: RunQueue) {
  const ended = new Map<string, Verdict>();
  q.onEnded((run, verdict) => ended.set(run, verdict));
  const until = async (run: string, withinMs = 20_000) => {
    const deadline = Date.now() + withinMs;
    while (!ended.has(run)) {
      assert.ok(Date.now() < deadline, `run.ended of ${run} within ${withinMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return ended.get(run);
  };
  return { ended, until };
}

const redisSkip = skipWithout('REDIS_URL');
const adapters: Array<[string, QueueFactory]> = [
  [
    'memory',
    async (limits) => {
      const q = new MemoryQueue(limits);
      return { producer: q, consumer: q, shared: false, cleanup: async () => void (await q.close()) };
    },
  ],
  // BullMQ on Redis and on a Redis Cluster of this test's own: only with Redis.
  ...(redisSkip ? [] : await queueAdapters()),
];
if (redisSkip) describe('run queue contract: bullmq', { skip: redisSkip }, () => {});

for (const [name, make] of adapters) {
  describe(`run queue contract: ${name}`, () => {
    const made: Array<() => Promise<void>> = [];
    const open = async (limits: Partial<QueueLimits> = {}) => {
      const q = await make({ concurrency: 1, maxQueued: 100, maxRunsPerOwner: 50, ...limits });
      made.push(q.cleanup);
      return q;
    };
    after(async () => {
      for (const c of made) await c();
    });

    it('hands every admitted run to a worker once, at most `concurrency` at a time, and reports each end', async () => {
      const { producer, consumer } = await open({ concurrency: 2 });
      const ends = endedLog(producer);
      const w = gatedWorker();
      consumer.process(w.worker, runnerInfo);
      const jobs = Array.from({ length: 5 }, (_, i) => job(`o${i}`));
      for (const j of jobs) assert.deepEqual(await producer.submit(j), { ok: true });
      await w.untilStarted(2);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(w.started.length, 2, 'a third run started while two ran');
      for (let k = 0; k < 5; k++) {
        await w.untilStarted(k + 1);
        const run = w.started[k].run;
        w.release(run, k === 3 ? 'runtime_error' : 'ok');
        assert.equal(await ends.until(run), k === 3 ? 'runtime_error' : 'ok');
      }
      assert.deepEqual(new Set(w.started.map((j) => j.run)), new Set(jobs.map((j) => j.run)));
      assert.equal(w.started.length, 5);
    });

    it("is fair per owner: one owner's backlog does not hold back another owner's first runs", async () => {
      const { producer, consumer } = await open();
      const w = gatedWorker();
      const flood = Array.from({ length: 6 }, () => job('flooder'));
      const late = [job('student'), job('student')];
      for (const j of [...flood, ...late]) assert.deepEqual(await producer.submit(j), { ok: true });
      consumer.process(w.worker, runnerInfo);
      for (let k = 0; k < 6; k++) {
        await w.untilStarted(k + 1);
        w.release(w.started[k].run);
      }
      // Each owner's k-th run after every owner's (k−1)-th; submission order within a round.
      assert.deepEqual(
        w.started.map((j) => j.run),
        [flood[0], late[0], flood[1], late[1], flood[2], flood[3]].map((j) => j.run),
      );
    });

    it("refuses past one owner's share while other owners are still admitted, and past the whole queue", async () => {
      const { producer } = await open({ maxQueued: 5, maxRunsPerOwner: 2 });
      assert.deepEqual(await producer.submit(job('a')), { ok: true });
      assert.deepEqual(await producer.submit(job('a')), { ok: true });
      const third = await producer.submit(job('a'));
      assert.equal(third.ok, false);
      assert.equal(!third.ok && third.full, 'owner');
      assert.ok(!third.ok && third.retryAfterMs > 0);
      for (const o of ['b', 'c', 'd']) assert.deepEqual(await producer.submit(job(o)), { ok: true });
      const over = await producer.submit(job('e'));
      assert.equal(!over.ok && over.full, 'queue');
      assert.deepEqual(await producer.waiting(), { python: 5 });
    });

    it('cancel takes a waiting run out (it never reaches a worker) and aborts a running one wherever it runs', async () => {
      const { producer, consumer } = await open();
      const ends = endedLog(producer);
      const w = gatedWorker();
      const [first, second] = [job('a'), job('b')];
      await producer.submit(first);
      await producer.submit(second);
      consumer.process(w.worker, runnerInfo);
      await w.untilStarted(1);
      const running = w.started[0];
      const waiting = running.run === first.run ? second : first;
      assert.equal(await producer.cancel(waiting.run), 'dequeued');
      const t0 = performance.now();
      assert.equal(await producer.cancel(running.run), 'signalled');
      assert.equal(await ends.until(running.run), 'cancelled');
      const ms = performance.now() - t0;
      assert.ok(w.signals.get(running.run)!.aborted);
      // The bound is 200 ms; a loaded 2-core machine gets slack, the path has no timer in it.
      assert.ok(ms < 2000, `cancel reached the worker in ${ms.toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(w.started.length, 1, 'the dequeued run reached a worker');
      assert.equal(ends.ended.has(waiting.run), false, 'a dequeued run is ended by its submitter, not reported');
      assert.equal(await producer.cancel(running.run), 'unknown');
      assert.equal(await producer.cancel('no-such-run'), 'unknown');
    });

    it("an owner's runs go to the runner keeping its container, whichever gateway submits them", async (t) => {
      const opened = await open({ concurrency: 4 });
      if (!opened.another) return t.skip('one process: nothing to route');
      const { producer, consumer } = opened;
      const ran: Array<[string, string]> = [];
      const worker = (who: string): QueueWorker => async (j) => {
        ran.push([who, j.run]);
        return { verdict: 'ok', ownerKept: who === 'A' && j.owner === 'student' };
      };
      const ends = endedLog(producer);
      consumer.process(worker('A'), runnerInfo);
      const first = job('student');
      await producer.submit(first);
      await ends.until(first.run);
      // A second runner, idle, and a second gateway: the student's next runs still go to A.
      const runnerB = opened.another('runner-b');
      runnerB.process(worker('B'), runnerInfo);
      const gateway2 = opened.another('gateway-2');
      const ends2 = endedLog(gateway2);
      const next = [job('student'), job('student'), job('student')];
      for (const j of next) {
        await gateway2.submit(j);
        await ends2.until(j.run);
      }
      assert.deepEqual(ran.filter(([, run]) => next.some((j) => j.run === run)).map(([who]) => who), ['A', 'A', 'A']);
    });

    it('close returns the waiting runs only this process held; idle waits for running ones', async () => {
      const { producer, consumer, shared } = await open();
      const w = gatedWorker();
      consumer.process(w.worker, runnerInfo);
      const jobs = [job('a'), job('b'), job('c')];
      for (const j of jobs) await producer.submit(j);
      await w.untilStarted(1);
      const dropped = await consumer.close();
      if (shared) assert.deepEqual(dropped, []);
      else assert.deepEqual(new Set(dropped.map((j) => j.run)), new Set(jobs.slice(1).map((j) => j.run)));
      let idle = false;
      const idling = consumer.idle().then(() => (idle = true));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(idle, false);
      w.release(w.started[0].run);
      await idling;
    });
  });
}
