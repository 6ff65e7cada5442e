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
}

export interface SessionRecord {
  id: string;
  joinCode: string;
  /** SHA-256 of the owner key, hex; the key itself is never stored. */
  ownerKeyHash: string;
  title: string;
  createdAt: Date;
  closedAt: Date | null;
}

/**
 * Contract (tests/integration/store.test.ts runs it against every adapter):
 * `recordRun` is idempotent per id (a retry after a failure does not duplicate);
 * `sessionRuns` lists a session's runs oldest first; `createSession` fails (throws
 * DuplicateJoinCode) when the join code is taken, so callers can draw another.
 */
export interface Store {
  recordRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  sessionRuns(session: string): Promise<RunRecord[]>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  sessionByCode(joinCode: string): Promise<SessionRecord | null>;
  updateSession(id: string, change: { title?: string; closedAt?: Date }): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateJoinCode extends Error {}
