/** The store port: durable records of finished runs. */
import type { Language, RunError, Verdict } from '../../protocol/index.ts';

export interface RunRecord {
  id: string;
  session: string;
  language: Language;
  code: string;
  verdict: Verdict;
  wallMs: number;
  peakMemKb: number | null;
  steps: number;
  error: RunError | null;
  createdAt: Date;
  /** For a graded run (`test`): the problem, and how many of its cases passed. */
  test: { problem: string; passed: number; total: number } | null;
  /** Who ran it, when a token said so (`assignRun`); absent for anonymous runs. */
  user?: { id: string; name: string | null };
}

/** One graded attempt of a user at a problem, as `recordAttempt` folds it into the user's progress. */
export interface Attempt {
  user: string;
  name: string | null;
  problem: string;
  run: string;
  passed: number;
  total: number;
  /** Every case passed and the run ended `ok`. */
  solved: boolean;
  wallMs: number;
  peakMemKb: number | null;
  at: Date;
}

/** A user's progress at one problem: attempts, the most cases passed, when first solved, the best solving run. */
export interface Progress {
  user: string;
  problem: string;
  name: string | null;
  attempts: number;
  bestPassed: number;
  total: number;
  firstSolvedAt: Date | null;
  /** The fastest solving run (ties: the smaller peak memory) and its figures; null until solved. */
  best: { run: string; wallMs: number; peakMemKb: number | null } | null;
  lastAttemptAt: Date;
}

export interface SessionRecord {
  id: string;
  joinCode: string;
  /** SHA-256 of the owner key, hex; the key itself is never stored. */
  ownerKeyHash: string;
  title: string;
  createdAt: Date;
  closedAt: Date | null;
  /** The user who opened it, when a token said who (it may then run in, rename and close it from any connection). */
  owner: string | null;
}

/** A piece of a run's stored trace: `frames` log entries, compressed (server/archive/trace-chunk.ts). */
export interface TraceChunk {
  run: string;
  seq: number;
  frames: number;
  data: Uint8Array;
}

/** A catalog entry: the problem's file form (validated by server/problems, not here) and its content version. */
export interface StoredProblem {
  slug: string;
  version: string;
  doc: unknown;
}

/**
 * Contract (tests/integration/store.test.ts runs it against every adapter):
 * `recordRun` is idempotent per id (a retry after a failure does not duplicate);
 * `sessionRuns` lists a session's runs oldest first (`problemRuns` a problem's graded runs); `createSession` fails (throws
 * DuplicateJoinCode) when the join code is taken, so callers can draw another;
 * `traceChunks` returns a run's chunks in `seq` order, `addTraceChunk` is idempotent per
 * (run, seq); `deleteTracesBefore` removes chunks stored before the date and says how many.
 * `assignRun` names a run's user (before or after the run is recorded; idempotent per run): the run's reads then carry
 * `user`. `recordAttempt` folds one graded attempt into (user, problem) progress atomically (concurrent attempts all
 * count); progress outlives the runs. `deleteRunsBefore` removes run rows (with their code and users) recorded before
 * the date and says how many.
 */
export interface Store {
  recordRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  sessionRuns(session: string): Promise<RunRecord[]>;
  /** Graded runs of a problem, oldest first. */
  problemRuns(problem: string): Promise<RunRecord[]>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  sessionByCode(joinCode: string): Promise<SessionRecord | null>;
  updateSession(id: string, change: { title?: string; closedAt?: Date }): Promise<void>;
  addTraceChunk(chunk: TraceChunk): Promise<void>;
  /** A run's chunks from `fromSeq` on (default: all), at most `limit` of them, by `seq`. */
  traceChunks(run: string, page?: { fromSeq: number; limit: number }): Promise<TraceChunk[]>;
  deleteTracesBefore(date: Date): Promise<number>;
  /** Inserts or replaces a problem by slug; says which (a same-version save changes nothing). */
  saveProblem(problem: StoredProblem): Promise<'created' | 'updated' | 'unchanged'>;
  /** Every problem, by slug. */
  listProblems(): Promise<StoredProblem[]>;
  assignRun(run: string, user: string, name: string | null): Promise<void>;
  recordAttempt(attempt: Attempt): Promise<void>;
  /** A user's progress, by problem slug. */
  userProgress(user: string): Promise<Progress[]>;
  deleteRunsBefore(date: Date): Promise<number>;
  close(): Promise<void>;
}

export class DuplicateJoinCode extends Error {}
