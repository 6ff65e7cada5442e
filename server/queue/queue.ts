/** The run queue port: bounded, per-owner fair admission of runs on one side (gateways), bounded-concurrency execution on the other (runners), cancel reaching wherever a run is. */
import type { Language, Verdict } from '../../protocol/index.ts';
import type { Problem } from '../problems/problem.ts';
import type { RunJob } from '../runner/runner.ts';
import { modeOf, type ModeSpec } from '../runner/modes/mode-spec.ts';
import type { RunnerInfo } from './runner-directory.ts';

/** A run as the queue carries it: plain data, so that it can cross processes (the runner rebuilds its mode). */
export type QueuedRun = Omit<RunJob, 'mode'> & { mode?: ModeSpec; /** When it was submitted (ms since the epoch). */ submittedAt: number };

export type Admission = { ok: true } | { ok: false; retryAfterMs: number; /** Who is full: the whole queue, or this owner's share. */ full: 'queue' | 'owner' };

/** What a worker reports when a run is over. */
export interface RunOutcome {
  verdict: Verdict;
  /** The runner keeps a container for the run's owner: the owner's next runs should come to it (per-owner reuse). */
  ownerKept?: boolean;
}

/**
 * Runs one job to its end and resolves with its outcome; never rejects for anything the program does. `cancelled`
 * aborts when the run is cancelled wherever the cancel was asked.
 */
export type QueueWorker = (job: QueuedRun, cancelled: AbortSignal) => Promise<RunOutcome>;

/** Ends a run whose runner was lost after it started (its watchers get `run.ended` `internal_error` naming `runner`). */
export type LostHandler = (job: QueuedRun, runner: string) => Promise<void>;

/** Keeps `count` sandboxes of `language` warm for `key` until `until` (ms); `count` 0 releases `key` (its language null). */
export type ReserveHandler = (key: string, language: Language | null, count: number, until: number) => number | void;

/**
 * Contract (tests/integration/queue.test.ts runs it over every adapter):
 * - `submit` answers once the run is admitted — it will be handed to a worker exactly once, unless cancelled first —
 *   or refused: past `maxQueued` waiting runs in all, or past `maxRunsPerOwner` runs of one owner waiting or
 *   running (counted by the process that submits them: an owner is a connection, on one gateway).
 * - Fairness: among waiting runs, an owner's k-th outstanding run (waiting or running) goes after every other
 *   owner's (k−1)-th; within that, submission order. One owner's backlog never delays another owner's first run by
 *   more than the runs already running.
 * - At most `concurrency` runs execute at once per consuming process (`process`).
 * - `cancel` of a waiting run removes it ('dequeued': it never reaches a worker; the caller ends it); of a running
 *   one, aborts its worker's signal wherever that worker runs ('signalled'); of anything else, 'unknown'.
 * - `onEnded` is called once per run a worker finished, in every process that listens (a gateway learns the end of
 *   a run it submitted, whichever runner ran it); not for dequeued runs.
 * - A run whose runner is lost after it started (no lease renewal for the lost time) is ended once, by whichever
 *   process notices first, through its `onLost` handler; then `onEnded` reports it `internal_error`. A run a lost
 *   runner had taken but not started goes back to the queue and is run by another runner.
 * - Per-owner reuse: a run whose worker says it kept a container for the owner makes that runner the owner's for a
 *   while; the owner's next runs go to it, whichever process submits them (a shared queue: through its own queue,
 *   moved to the shared one if the runner goes).
 * - `reserve` asks the runners to keep sandboxes warm for a class (their `onReserve` handlers, each for its share).
 * - `close` stops taking jobs here and returns the waiting runs it alone held (the in-process queue: all of them;
 *   a shared queue: none, they stay for other runners); `idle` resolves when this process runs none.
 */
export interface RunQueue {
  submit(job: QueuedRun): Promise<Admission>;
  cancel(run: string): Promise<'dequeued' | 'signalled' | 'unknown'>;
  onEnded(cb: (run: string, verdict: Verdict) => void): void;
  /** Starts consuming: this process executes runs (the runner role) and describes itself to gateways. */
  process(worker: QueueWorker, describe: () => RunnerInfo): void;
  /** Takes no new runs here while false (the runner's Docker engine is down); waiting runs stay queued for others. */
  setAccepting(accepting: boolean): void;
  /** The runners alive and what they can run now. */
  runners(): Promise<RunnerInfo[]>;
  /** Runners of this queue found lost lately (their leases lapsed): what they left on an engine may be removed. */
  lostRunners(): Promise<string[]>;
  /** Runs waiting, per language (languages with none left out). */
  waiting(): Promise<Partial<Record<Language, number>>>;
  onLost(handler: LostHandler): void;
  /** Resolves with how many sandboxes will be warmed (the request, or fewer where the runners say so). */
  reserve(key: string, language: Language, count: number, until: number): Promise<number>;
  onReserve(handler: ReserveHandler): void;
  /** The owner is gone (its last connection closed): the runners keeping containers for it remove them (`onForget`). */
  forgetOwner(owner: string): Promise<void>;
  onForget(handler: (owner: string) => void): void;
  close(): Promise<QueuedRun[]>;
  idle(): Promise<void>;
}

export interface QueueLimits {
  /** Runs executing at once in a consuming process. */
  concurrency: number;
  /** Waiting runs in all; past it `submit` refuses. */
  maxQueued: number;
  /** Runs of one owner waiting or running; past it `submit` refuses that owner only. */
  maxRunsPerOwner: number;
}

/** The job a runner executes for `queued`, its mode rebuilt from its spec with this process's problem catalog. */
export function runJobOf(queued: QueuedRun, problems: ReadonlyMap<string, Problem>): RunJob {
  const { mode, ...rest } = queued;
  return { ...rest, ...(mode ? { mode: modeOf(mode, problems) } : {}) };
}
