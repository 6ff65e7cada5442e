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
  private readonly queues = new Map<Language, Queue>();
  private readonly workers: Worker[] = [];
  private readonly subscriber: RedisClient;
  private readonly subscribed: Promise<unknown>;
  private readonly leases: RunnerDirectory;
  private readonly slots: Slots;
  /** Runs this process submitted and has not seen end, and how many checks in a row found them nowhere in Redis. */
  private readonly submitted = new Map<string, { job: QueuedRun; missing: number }>();
  private readonly outstanding = new Map<string, number>();
  /** Runs executing here, by run: aborted by a cancel from anywhere; their marks, re-made if Redis lost them. */
  private readonly local = new Map<string, { abort: AbortController; language: Language; entry: string }>();
  private readonly endedListeners: Array<(run: string, verdict: Verdict) => void> = [];
  private lostHandler: LostHandler | null = null;
  private reserveHandler: ReserveHandler | null = null;
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
    this.subscribed = this.subscriber.subscribe(this.channel('cancel'), this.channel('ended'), this.channel('prewarm'));
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

  /** The queue of a language: its keys share one hash tag, so one Redis Cluster slot. */
  private queueName(language: Language): string {
    return `{q.${language}}`;
  }

  private key(language: Language, what: string): string {
    return `${this.prefix}:${this.queueName(language)}:x:${what}`;
  }

  private channel(what: 'cancel' | 'ended' | 'prewarm'): string {
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
    this.submitted.set(job.run, { job, missing: 0 });
    try {
      await this.add(job, mine + 1);
    } catch (err) {
      this.settle(job.run);
      throw err;
    }
    if (this.waitingCount) this.waitingCount.n++;
    return { ok: true };
  }

  private add(job: QueuedRun, rank: number): Promise<unknown> {
    return this.queues.get(job.language)!.add('run', job, { jobId: job.run, priority: Math.min(rank, MAX_PRIORITY), removeOnComplete: true, removeOnFail: true, attempts: 1 });
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
    const known = this.submitted.get(run)?.job.language;
    for (const language of known ? [known] : this.options.languages) {
      const job = await Job.fromId(this.queues.get(language)!, run);
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
        this.redis.exists(`${this.prefix}:${this.queueName(language)}:${run}`),
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
    for (const [lang] of this.queues) {
      const w = new Worker(this.queueName(lang), (job) => this.handle(lang, job.data as QueuedRun), {
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
        verdict = (await this.worker!(job, abort.signal)).verdict;
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

  /** Runs started by runners whose lease lapsed end as lost. */
  private async reap(): Promise<void> {
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
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.subscribed.catch(() => undefined);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
