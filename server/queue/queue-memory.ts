/** In-process run queue: the single-node default (no REDIS_URL). */
import type { Language, Verdict } from '../../protocol/index.ts';
import type { Admission, QueueLimits, QueuedRun, QueueWorker, ReserveHandler, RunQueue } from './queue.ts';
import type { RunnerInfo } from './runner-directory.ts';

export interface MemoryQueueOptions extends QueueLimits {
  /** Called when the number of waiting runs of a language changes. */
  onWaiting?: (language: Language, waiting: number) => void;
}

interface Waiting {
  job: QueuedRun;
  /** The owner's outstanding runs when it was submitted, this one included: its turn among owners. */
  rank: number;
  seq: number;
}

export class MemoryQueue implements RunQueue {
  private readonly waitingJobs: Waiting[] = [];
  private readonly running = new Map<string, { done: Promise<unknown>; abort: AbortController }>();
  /** Outstanding (waiting or running) runs per owner. */
  private readonly outstanding = new Map<string, number>();
  private readonly endedListeners: Array<(run: string, verdict: Verdict) => void> = [];
  private worker: QueueWorker | null = null;
  private reserveHandler: ReserveHandler | null = null;
  private forgetHandler: ((owner: string) => void) | null = null;
  private describe: (() => RunnerInfo) | null = null;
  private accepting = true;
  private seq = 0;
  private closed = false;
  /** Moving average of recent run durations, for the retry hint. */
  private avgRunMs = 1000;

  constructor(private readonly options: MemoryQueueOptions) {}

  async submit(job: QueuedRun): Promise<Admission> {
    const mine = this.outstanding.get(job.owner) ?? 0;
    const full = this.closed || this.waitingJobs.length >= this.options.maxQueued ? 'queue' : mine >= this.options.maxRunsPerOwner ? 'owner' : null;
    if (full) {
      const ahead = full === 'queue' ? this.waitingJobs.length + this.running.size : 1;
      return { ok: false, full, retryAfterMs: Math.max(100, Math.round((ahead / this.options.concurrency) * this.avgRunMs)) };
    }
    const rank = (this.outstanding.get(job.owner) ?? 0) + 1;
    this.outstanding.set(job.owner, rank);
    this.waitingJobs.push({ job, rank, seq: this.seq++ });
    this.report(job.language);
    this.pump();
    return { ok: true };
  }

  async cancel(run: string): Promise<'dequeued' | 'signalled' | 'unknown'> {
    const i = this.waitingJobs.findIndex((w) => w.job.run === run);
    if (i >= 0) {
      const [{ job }] = this.waitingJobs.splice(i, 1);
      this.settleOwner(job.owner);
      this.report(job.language);
      return 'dequeued';
    }
    const r = this.running.get(run);
    if (!r) return 'unknown';
    r.abort.abort();
    return 'signalled';
  }

  onEnded(cb: (run: string, verdict: Verdict) => void): void {
    this.endedListeners.push(cb);
  }

  process(worker: QueueWorker, describe: () => RunnerInfo): void {
    this.worker = worker;
    this.describe = describe;
    this.pump();
  }

  setAccepting(accepting: boolean): void {
    this.accepting = accepting;
    this.pump();
  }

  async lostRunners(): Promise<string[]> {
    return [];
  }

  async runners(): Promise<RunnerInfo[]> {
    return this.describe ? [this.describe()] : [];
  }

  async waiting(): Promise<Partial<Record<Language, number>>> {
    const out: Partial<Record<Language, number>> = {};
    for (const w of this.waitingJobs) out[w.job.language] = (out[w.job.language] ?? 0) + 1;
    return out;
  }

  /** No runner of this queue can be lost: it runs in this process. */
  onLost(): void {}

  async reserve(key: string, language: Language, count: number, until: number): Promise<number> {
    return this.reserveHandler?.(key, count > 0 ? language : null, count, until) ?? count;
  }

  onReserve(handler: ReserveHandler): void {
    this.reserveHandler = handler;
  }

  async forgetOwner(owner: string): Promise<void> {
    this.forgetHandler?.(owner);
  }

  onForget(handler: (owner: string) => void): void {
    this.forgetHandler = handler;
  }

  private report(language: Language): void {
    this.options.onWaiting?.(language, this.waitingJobs.reduce((n, w) => n + (w.job.language === language ? 1 : 0), 0));
  }

  private settleOwner(owner: string): void {
    const n = (this.outstanding.get(owner) ?? 1) - 1;
    if (n > 0) this.outstanding.set(owner, n);
    else this.outstanding.delete(owner);
  }

  /** The next run by fairness: lowest rank, then submission order. */
  private next(): QueuedRun | null {
    let best = -1;
    for (let i = 0; i < this.waitingJobs.length; i++) {
      const w = this.waitingJobs[i];
      const b = this.waitingJobs[best];
      if (best < 0 || w.rank < b.rank || (w.rank === b.rank && w.seq < b.seq)) best = i;
    }
    return best < 0 ? null : this.waitingJobs.splice(best, 1)[0].job;
  }

  private pump(): void {
    while (this.worker && this.accepting && !this.closed && this.running.size < this.options.concurrency) {
      const job = this.next();
      if (!job) return;
      this.report(job.language);
      const t0 = performance.now();
      const abort = new AbortController();
      const done = this.worker(job, abort.signal)
        .then(
          (outcome) => outcome.verdict,
          () => 'internal_error' as const,
        )
        .then((verdict) => {
          this.avgRunMs = 0.8 * this.avgRunMs + 0.2 * (performance.now() - t0);
          this.running.delete(job.run);
          this.settleOwner(job.owner);
          for (const cb of this.endedListeners) cb(job.run, verdict);
          this.pump();
        });
      this.running.set(job.run, { done, abort });
    }
  }

  async close(): Promise<QueuedRun[]> {
    this.closed = true;
    const dropped = this.waitingJobs.splice(0).map((w) => w.job);
    for (const job of dropped) {
      this.settleOwner(job.owner);
      this.report(job.language);
    }
    return dropped;
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
