/**
 * Run queue on BullMQ (Redis): one queue per language, per-owner fair priorities, cancels and run ends over
 * pub/sub, a lost runner's runs ended by whichever process notices first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue, Worker } from 'bullmq';
import type { Language, Verdict } from '../../protocol/index.ts';
import { duplicateOf, type RedisClient } from '../log/redis-client.ts';
import type { Logger } from '../obs/logger.ts';
import { paths } from '../paths.ts';
import type { Admission, LostHandler, QueueLimits, QueuedRun, QueueWorker, ReserveHandler, RunQueue } from './queue.ts';
import { RunnerDirectory, type RunnerInfo } from './runner-directory.ts';
import { Slots } from './slots.ts';

export interface BullQueueOptions extends QueueLimits {
  redis: RedisClient;
  languages: Language[];
  /** This process's id: a runner marks the runs it starts with it (TRACECAST_RUNNER_ID plus a per-process suffix). */
  processId: string;
  /** A runner not heard from for this long is lost; its started runs end `internal_error` (TRACECAST_RUNNER_LOST_MS). */
  lostAfterMs: number;
  logger: Logger;
  /** Key prefix (tests use their own). */
  prefix?: string;
  /**
   * How long a runner that kept an owner's container after a run stays that owner's runner (TRACECAST_REUSE_IDLE_MS):
   * the owner's next runs go to its own queue, whichever gateway they come through. 0: no affinity.
   */
  ownerAffinityMs?: number;
}

// Priorities are BullMQ's (1 = first); an owner's rank past this shares the last one.
const MAX_PRIORITY = 2 ** 21 - 1;
// A run's verdict is kept this long after it ended, so that a job the queue hands out again is not run again.
const ENDED_TTL_MS = 3600_000;
// A cancel asked for before the runner saw the run waits this long for it.
const CANCEL_TTL_MS = 600_000;
// How long the admission check may use a count of waiting runs.
const COUNT_TTL_MS = 200;
// How often a gateway checks its runs against Redis; a run found nowhere this many times in a row is submitted again.
const RECONCILE_MS = 3000;
const MISSING_CHECKS = 2;

type ClaimReply = ['mine', number] | ['ended', string] | ['held', string];
interface Scripted {
  tcClaimStart(started: string, ended: string, cancel: string, run: string, entry: string): Promise<ClaimReply>;
  tcFinish(started: string, ended: string, run: string, expected: string, verdict: string, ttlMs: number): Promise<number>;
}

const script = (name: string) => readFileSync(path.join(paths.root, 'server', 'queue', 'lua', name), 'utf8');

export class BullQueue implements RunQueue {
  private readonly prefix: string;
  /** Each language's shared queue. */
  private readonly queues = new Map<Language, Queue>();
  /** Queues of one runner (an owner's runs go where its container is), by name, opened when first used. */
  private readonly runnerQueues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly subscriber: RedisClient;
  private readonly subscribed: Promise<unknown>;
  private readonly leases: RunnerDirectory;
  private readonly slots: Slots;
  /** Runs this process submitted and has not seen end, and how many checks in a row found them nowhere in Redis. */
  private readonly submitted = new Map<string, { job: QueuedRun; missing: number; runner: string | null }>();
  private readonly outstanding = new Map<string, number>();
  /** Runs executing here, by run: aborted by a cancel from anywhere; their marks, re-made if Redis lost them. */
  private readonly local = new Map<string, { abort: AbortController; language: Language; entry: string }>();
  private readonly endedListeners: Array<(run: string, verdict: Verdict) => void> = [];
  private lostHandler: LostHandler | null = null;
  private reserveHandler: ReserveHandler | null = null;
  private forgetHandler: ((owner: string) => void) | null = null;
  /** Reservations this runner holds, to release those that were withdrawn. */
  private readonly reserved = new Set<string>();
  private worker: QueueWorker | null = null;
  private waitingCount: { at: number; n: number } | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private closing: Promise<unknown> | null = null;
  private closed = false;

  constructor(private readonly options: BullQueueOptions) {
    this.prefix = options.prefix ?? 'tc';
    const { redis } = options;
    const r = redis as unknown as { defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void };
    r.defineCommand('tcClaimStart', { numberOfKeys: 3, lua: script('claim-start.lua') });
    r.defineCommand('tcFinish', { numberOfKeys: 2, lua: script('finish.lua') });
    for (const lang of options.languages) this.queues.set(lang, new Queue(this.queueName(lang), { connection: redis as never, prefix: this.prefix }));
    this.leases = new RunnerDirectory(redis, this.prefix, options.lostAfterMs);
    this.slots = new Slots(options.concurrency);
    this.subscriber = duplicateOf(redis, options.logger, 'queue-subscriber');
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.subscribed = this.subscriber.subscribe(this.channel('cancel'), this.channel('ended'), this.channel('prewarm'), this.channel('forget'));
    // Every process with a queue looks for lost runners: with no runner alive, a gateway still ends their runs.
    this.every(Math.max(500, options.lostAfterMs / 6), () => this.reap());
    // A gateway checks that Redis still knows its runs (it may have restarted without its data).
    this.every(RECONCILE_MS, () => this.reconcile());
    // After a reconnection, a runner marks again the runs it executes (their marks may be gone with Redis's data).
    redis.on('ready', () => {
      this.leases.renew();
      void this.remark().catch(() => undefined);
    });
  }

  private get redis(): RedisClient & Scripted {
    return this.options.redis as RedisClient & Scripted;
  }

  /**
   * The queue of a language, or of a language on one runner: its keys share one hash tag, so one Redis Cluster
   * slot. The run marks (started, ended, cancel) are in the language queue's slot whichever queue a run came through.
   */
  private queueName(language: Language, runner: string | null = null): string {
    return runner ? `{q.${language}.${runner}}` : `{q.${language}}`;
  }

  private queueOf(language: Language, runner: string | null): Queue {
    if (!runner) return this.queues.get(language)!;
    const name = this.queueName(language, runner);
    let q = this.runnerQueues.get(name);
    if (!q) this.runnerQueues.set(name, (q = new Queue(name, { connection: this.options.redis as never, prefix: this.prefix })));
    return q;
  }

  private ownerKey(owner: string): string {
    return `${this.prefix}:{q}:owner:${owner}`;
  }

  /** The live runner keeping a container for `owner`, if any. */
  private async ownerRunner(owner: string): Promise<string | null> {
    if (!this.options.ownerAffinityMs) return null;
    const runner = await this.redis.get(this.ownerKey(owner));
    return runner && (await this.leases.alive(runner)) ? runner : null;
  }

  private key(language: Language, what: string): string {
    return `${this.prefix}:${this.queueName(language)}:x:${what}`;
  }

  private channel(what: 'cancel' | 'ended' | 'prewarm' | 'forget'): string {
    return `${this.prefix}:q:${what}`;
  }

  /** Class reservations: one hash, in the directory's slot. */
  private get prewarmKey(): string {
    return `${this.prefix}:{q}:prewarm`;
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.closed) return;
      running = true;
      fn()
        .catch((err) => this.options.logger.warn('queue housekeeping failed (retrying)', { err: (err as Error).message }))
        .finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  // ------------------------------------------------------------------ producer (gateway)

  async submit(job: QueuedRun): Promise<Admission> {
    const queue = this.queues.get(job.language);
    if (!queue || this.closed) return { ok: false, full: 'queue', retryAfterMs: 1000 };
    const mine = this.outstanding.get(job.owner) ?? 0;
    if (mine >= this.options.maxRunsPerOwner) return { ok: false, full: 'owner', retryAfterMs: 1000 };
    const waiting = await this.totalWaiting();
    if (waiting >= this.options.maxQueued) return { ok: false, full: 'queue', retryAfterMs: Math.max(500, Math.round(waiting * 50)) };
    this.outstanding.set(job.owner, mine + 1);
    const runner = await this.ownerRunner(job.owner);
    this.submitted.set(job.run, { job, missing: 0, runner });
    try {
      await this.add(job, mine + 1, runner);
    } catch (err) {
      this.settle(job.run);
      throw err;
    }
    if (this.waitingCount) this.waitingCount.n++;
    return { ok: true };
  }

  private add(job: QueuedRun, rank: number, runner: string | null = null): Promise<unknown> {
    return this.queueOf(job.language, runner).add('run', job, { jobId: job.run, priority: Math.min(rank, MAX_PRIORITY), removeOnComplete: true, removeOnFail: true, attempts: 1 });
  }

  private async totalWaiting(): Promise<number> {
    const now = Date.now();
    if (!this.waitingCount || now - this.waitingCount.at > COUNT_TTL_MS) {
      const counts = await Promise.all([...this.queues.values()].map((q) => q.getJobCountByTypes('wait', 'prioritized')));
      this.waitingCount = { at: now, n: counts.reduce((a, b) => a + b, 0) };
    }
    return this.waitingCount.n;
  }

  private settle(run: string): void {
    const s = this.submitted.get(run);
    if (!s) return;
    this.submitted.delete(run);
    const owner = s.job.owner;
    const n = (this.outstanding.get(owner) ?? 1) - 1;
    if (n > 0) this.outstanding.set(owner, n);
    else this.outstanding.delete(owner);
  }

  async cancel(run: string): Promise<'dequeued' | 'signalled' | 'unknown'> {
    const known = this.submitted.get(run);
    const places: Array<[Language, string | null]> = known
      ? [[known.job.language, known.runner], ...(known.runner ? [[known.job.language, null] as [Language, null]] : [])]
      : this.options.languages.map((l) => [l, null]);
    for (const [language, runner] of places) {
      const job = await Job.fromId(this.queueOf(language, runner), run);
      if (!job) continue;
      try {
        await job.remove();
        this.settle(run);
        return 'dequeued';
      } catch {
        // Locked: a runner holds it. The mark covers a runner that took it and has not started it yet.
      }
      await this.redis.set(this.key(language, `cancel:${run}`), '1', 'PX', CANCEL_TTL_MS);
      await this.redis.publish(this.channel('cancel'), run);
      return 'signalled';
    }
    return 'unknown';
  }

  onEnded(cb: (run: string, verdict: Verdict) => void): void {
    this.endedListeners.push(cb);
  }

  onLost(handler: LostHandler): void {
    this.lostHandler = handler;
  }

  async reserve(key: string, language: Language, count: number, until: number): Promise<number> {
    const hash = this.prewarmKey;
    if (count > 0) await this.redis.hset(hash, key, JSON.stringify({ language, count, until }));
    else await this.redis.hdel(hash, key);
    await this.redis.publish(this.channel('prewarm'), key);
    return count;
  }

  onReserve(handler: ReserveHandler): void {
    this.reserveHandler = handler;
    this.every(10_000, () => this.syncReservations());
    void this.syncReservations().catch(() => undefined);
  }

  async forgetOwner(owner: string): Promise<void> {
    if (!this.options.ownerAffinityMs) return;
    await this.redis.del(this.ownerKey(owner));
    await this.redis.publish(this.channel('forget'), owner);
  }

  onForget(handler: (owner: string) => void): void {
    this.forgetHandler = handler;
  }

  async waiting(): Promise<Partial<Record<Language, number>>> {
    const out: Partial<Record<Language, number>> = {};
    await Promise.all(
      [...this.queues].map(async ([lang, q]) => {
        const n = await q.getJobCountByTypes('wait', 'prioritized');
        if (n > 0) out[lang] = n;
      }),
    );
    return out;
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.channel('cancel')) {
      this.local.get(message)?.abort.abort();
      return;
    }
    if (channel === this.channel('ended')) {
      const space = message.indexOf(' ');
      this.ended(message.slice(0, space), message.slice(space + 1) as Verdict);
      return;
    }
    if (channel === this.channel('prewarm') && this.reserveHandler) void this.syncReservations().catch(() => undefined);
    if (channel === this.channel('forget')) this.forgetHandler?.(message);
  }

  private ended(run: string, verdict: Verdict): void {
    this.settle(run);
    for (const cb of this.endedListeners) cb(run, verdict);
  }

  /**
   * Redis may have lost this gateway's runs (a restart without persistence): a run whose end was published while
   * the gateway was cut off is ended from its verdict mark; one found nowhere (not waiting, not started, not ended)
   * twice in a row is submitted again — it had not started, or its runner would have marked it again.
   */
  private async reconcile(): Promise<void> {
    if (this.submitted.size === 0) return;
    for (const [run, s] of [...this.submitted]) {
      const { language } = s.job;
      const [inQueue, started, verdict] = await Promise.all([
        // A runner's queue is moved to the language's when the runner goes: the run may be in either.
        this.redis.exists(`${this.prefix}:${this.queueName(language)}:${run}`, ...(s.runner ? [`${this.prefix}:${this.queueName(language, s.runner)}:${run}`] : [])),
        this.redis.hexists(this.key(language, 'started'), run),
        this.redis.get(this.key(language, `ended:${run}`)),
      ]);
      if (!this.submitted.has(run)) continue;
      if (verdict) {
        this.ended(run, verdict as Verdict);
        continue;
      }
      if (inQueue || started) {
        s.missing = 0;
        continue;
      }
      if (++s.missing < MISSING_CHECKS) continue;
      s.missing = 0;
      this.options.logger.warn('a run waiting in the queue was lost by Redis (restarted without its data?): submitted again', { run, session: s.job.session });
      await this.add(s.job, this.outstanding.get(s.job.owner) ?? 1);
    }
  }

  // ------------------------------------------------------------------ consumer (runner)

  process(worker: QueueWorker, describe: () => RunnerInfo): void {
    this.worker = worker;
    this.leases.start(this.options.processId, describe);
    // Each language's queue, and this runner's own for the owners whose containers it keeps.
    for (const [lang, runner] of [...this.queues.keys()].flatMap((l) => [[l, null], ...(this.options.ownerAffinityMs ? [[l, this.options.processId]] : [])] as Array<[Language, string | null]>)) {
      const w = new Worker(this.queueName(lang, runner), (job) => this.handle(lang, job.data as QueuedRun), {
        connection: this.options.redis as never,
        prefix: this.prefix,
        concurrency: this.options.concurrency,
        // The lock lapses (and BullMQ's stalled check hands a run that had not started to another runner) well within the lost time.
        lockDuration: Math.max(1000, Math.round(this.options.lostAfterMs / 2)),
        stalledInterval: Math.max(500, Math.round(this.options.lostAfterMs / 6)),
        // A job that comes back is never failed by BullMQ: claim-start.lua decides (run it, or it already ended).
        maxStalledCount: 1000,
      });
      w.on('error', (err) => this.options.logger.warn('queue worker error (retrying)', { language: lang, err: err.message }));
      this.workers.push(w);
    }
  }

  setAccepting(accepting: boolean): void {
    // Gateways learn at once, not at the next renewal.
    this.leases.renew();
    for (const w of this.workers) {
      if (accepting) w.resume();
      else void w.pause(true).catch(() => undefined);
    }
  }

  async runners(): Promise<RunnerInfo[]> {
    return this.leases.list();
  }

  lostRunners(): Promise<string[]> {
    return this.leases.lapsed();
  }

  /** BullMQ's processor: one run, from claiming it to publishing its end. */
  private async handle(language: Language, job: QueuedRun): Promise<Verdict> {
    await this.slots.take();
    try {
      const entry = JSON.stringify({ runner: this.options.processId, job });
      const started = this.key(language, 'started');
      const ended = this.key(language, `ended:${job.run}`);
      const [state, detail] = await this.redis.tcClaimStart(started, ended, this.key(language, `cancel:${job.run}`), job.run, entry);
      if (state === 'ended') return detail as Verdict;
      if (state === 'held') return await this.heldElsewhere(language, job, detail as string);
      const abort = new AbortController();
      this.local.set(job.run, { abort, language, entry });
      if (detail === 1) abort.abort();
      let verdict: Verdict = 'internal_error';
      try {
        const outcome = await this.worker!(job, abort.signal);
        verdict = outcome.verdict;
        // Its container stays here for the owner: the owner's next runs come here, through any gateway.
        if (outcome.ownerKept && this.options.ownerAffinityMs) await this.redis.set(this.ownerKey(job.owner), this.options.processId, 'PX', this.options.ownerAffinityMs);
      } finally {
        this.local.delete(job.run);
        await this.redis.tcFinish(started, ended, job.run, entry, verdict, ENDED_TTL_MS);
        await this.redis.publish(this.channel('ended'), `${job.run} ${verdict}`);
      }
      return verdict;
    } finally {
      this.slots.give();
    }
  }

  /**
   * The queue handed out a run another runner started (its lock lapsed): if that runner is lost, the run ends
   * here as lost; if it is alive (it was only slow to renew), its end is waited for.
   */
  private async heldElsewhere(language: Language, job: QueuedRun, entry: string): Promise<Verdict> {
    const { runner } = JSON.parse(entry) as { runner: string };
    for (;;) {
      if (!(await this.leases.alive(runner))) {
        await this.endLost(language, job.run, entry);
        return 'internal_error';
      }
      const verdict = await this.redis.get(this.key(language, `ended:${job.run}`));
      if (verdict) return verdict as Verdict;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Ends a lost runner's run once, whichever process gets here first. */
  private async endLost(language: Language, run: string, entry: string): Promise<void> {
    const won = await this.redis.tcFinish(this.key(language, 'started'), this.key(language, `ended:${run}`), run, entry, 'internal_error', ENDED_TTL_MS);
    if (won !== 1) return;
    const { runner, job } = JSON.parse(entry) as { runner: string; job: QueuedRun };
    this.options.logger.warn('run lost with its runner: ended internal_error', { run, session: job.session, runner });
    try {
      await this.lostHandler?.(job, runner);
    } finally {
      await this.redis.publish(this.channel('ended'), `${run} internal_error`);
    }
  }

  /** Marks again what runs here (after a reconnection: Redis may have restarted without its data). */
  private async remark(): Promise<void> {
    for (const [run, { language, entry }] of this.local) await this.redis.hsetnx(this.key(language, 'started'), run, entry);
  }

  /**
   * Moves the runs waiting in `runner`'s own queues to the languages' queues (a lost runner's, or this one's as it
   * stops), then removes those queues. A run it had started is not moved: it ends as lost (`reap`).
   */
  private async handOver(runner: string): Promise<void> {
    for (const language of this.options.languages) {
      const own = this.queueOf(language, runner);
      const jobs = await own.getJobs(['wait', 'prioritized', 'active', 'delayed']);
      for (const j of jobs) {
        if (!j?.data) continue;
        if (await this.redis.hexists(this.key(language, 'started'), (j.data as QueuedRun).run)) continue;
        await this.queues.get(language)!.add('run', j.data, { jobId: j.id, priority: j.opts.priority, removeOnComplete: true, removeOnFail: true, attempts: 1 });
      }
      if (jobs.length > 0) this.options.logger.info('runs waiting for a runner moved to the shared queue', { runner, language, runs: jobs.length });
      await own.obliterate({ force: true }).catch(() => undefined);
      await own.close();
      this.runnerQueues.delete(this.queueName(language, runner));
    }
  }

  /** Runs started by runners whose lease lapsed end as lost. */
  private async reap(): Promise<void> {
    if (this.options.ownerAffinityMs) for (const runner of await this.leases.lapsed()) await this.handOver(runner);
    for (const language of this.options.languages) {
      const entries = await this.redis.hgetall(this.key(language, 'started'));
      for (const [run, entry] of Object.entries(entries)) {
        let runner: string;
        try {
          runner = (JSON.parse(entry) as { runner: string }).runner;
        } catch {
          continue;
        }
        if (!(await this.leases.alive(runner))) await this.endLost(language, run, entry);
      }
    }
  }

  /** Applies every class reservation: this runner's share is the count over the runners alive. */
  private async syncReservations(): Promise<void> {
    if (!this.reserveHandler) return;
    const hash = this.prewarmKey;
    const entries = await this.redis.hgetall(hash);
    const runners = Math.max(1, (await this.leases.list()).length);
    const now = Date.now();
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(entries)) {
      const r = JSON.parse(value) as { language: Language; count: number; until: number };
      if (r.until <= now) {
        await this.redis.hdel(hash, key);
        continue;
      }
      seen.add(key);
      if (this.reserved.has(key)) continue;
      this.reserved.add(key);
      this.reserveHandler(key, r.language, Math.ceil(r.count / runners), r.until);
    }
    for (const key of this.reserved) {
      if (seen.has(key)) continue;
      this.reserved.delete(key);
      this.reserveHandler(key, null, 0, 0);
    }
  }

  // ------------------------------------------------------------------ both

  async close(): Promise<QueuedRun[]> {
    this.stop(false);
    return [];
  }

  private stop(force: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    // Stops taking jobs; resolves once the runs it holds have ended (the runner is cancelling them), or at once (force).
    this.closing = Promise.all(this.workers.map((w) => w.close(force)));
  }

  async idle(): Promise<void> {
    await this.closing;
    // Its owners' runs still waiting here go to the other runners.
    if (this.worker && this.options.ownerAffinityMs) await this.handOver(this.options.processId).catch(() => undefined);
    await this.release();
  }

  /** Closes at once, abandoning runs in progress here to the stalled check (tests, and a process that must go). */
  async closeNow(): Promise<void> {
    this.stop(true);
    await this.closing;
    await this.release();
  }

  private async release(): Promise<void> {
    await this.leases.stop();
    await Promise.all([...this.queues.values(), ...this.runnerQueues.values()].map((q) => q.close()));
    await this.subscribed.catch(() => undefined);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
