/** In-process run queue: the single-node default. */
import type { RunJob } from '../runner/runner.ts';
import type { Admission, RunQueue } from './queue.ts';

export interface MemoryQueueOptions {
  concurrency: number;
  maxQueued: number;
  /** Runs the job; must not throw (failures are the worker's to report). */
  worker: (job: RunJob) => Promise<unknown>;
  onDepth?: (queued: number) => void;
}

export class MemoryQueue implements RunQueue {
  private readonly waiting: RunJob[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;
  /** Moving average of recent run durations, for the retry hint. */
  private avgRunMs = 1000;

  constructor(private readonly options: MemoryQueueOptions) {}

  get depth(): number {
    return this.waiting.length;
  }

  submit(job: RunJob): Admission {
    if (this.closed || this.waiting.length >= this.options.maxQueued) {
      const ahead = this.waiting.length + this.running.size;
      return { ok: false, retryAfterMs: Math.max(100, Math.round((ahead / this.options.concurrency) * this.avgRunMs)) };
    }
    this.waiting.push(job);
    this.options.onDepth?.(this.waiting.length);
    this.pump();
    return { ok: true, position: this.waiting.length };
  }

  remove(run: string): RunJob | null {
    const i = this.waiting.findIndex((j) => j.run === run);
    if (i < 0) return null;
    const [job] = this.waiting.splice(i, 1);
    this.options.onDepth?.(this.waiting.length);
    return job;
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.options.onDepth?.(this.waiting.length);
      const t0 = performance.now();
      const p = this.options.worker(job).finally(() => {
        this.avgRunMs = 0.8 * this.avgRunMs + 0.2 * (performance.now() - t0);
        this.running.delete(p);
        this.pump();
      });
      this.running.add(p);
    }
  }

  drain(): RunJob[] {
    this.closed = true;
    const dropped = this.waiting.splice(0);
    this.options.onDepth?.(0);
    return dropped;
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
