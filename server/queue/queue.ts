/** The run queue port: bounded admission of jobs with backpressure, executed by a worker with bounded concurrency. */
import type { RunJob } from '../runner/runner.ts';

export type Admission = { ok: true; position: number } | { ok: false; retryAfterMs: number };

/**
 * Contract: `submit` answers at once — admitted (the job will be handed to the worker
 * exactly once) or refused with a retry hint when the wait queue is full. Jobs start
 * in submission order; at most `concurrency` run at the same time. `remove` drops a
 * job that has not started yet. `drain` refuses new jobs and returns the ones that had
 * not started; `idle` resolves when no job is running.
 */
export interface RunQueue {
  submit(job: RunJob): Admission;
  /** Takes a job that has not started out of the queue; null when it is not waiting. */
  remove(run: string): RunJob | null;
  readonly depth: number;
  drain(): RunJob[];
  idle(): Promise<void>;
}
