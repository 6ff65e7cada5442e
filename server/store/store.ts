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

/**
 * Contract (tests/integration/store.test.ts runs it against every adapter):
 * `recordRun` is idempotent per id (a retry after a failure does not duplicate);
 * `sessionRuns` lists a session's runs oldest first.
 */
export interface Store {
  recordRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  sessionRuns(session: string): Promise<RunRecord[]>;
  close(): Promise<void>;
}
