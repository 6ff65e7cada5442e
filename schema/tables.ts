/** Table types for kysely, matching the migrations in schema/migrations/. */
import type { ColumnType, Generated } from 'kysely';

export interface RunsTable {
  id: string;
  session: string;
  language: string;
  code: string;
  verdict: string;
  wall_ms: number;
  peak_mem_kb: number | null;
  steps: number;
  error: ColumnType<unknown, string | null, string | null> | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  seq: Generated<number>;
  problem: string | null;
  passed: number | null;
  total: number | null;
}

export interface SessionsTable {
  id: string;
  join_code: string;
  owner_key_hash: string;
  title: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  closed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  owner: ColumnType<string | null, string | null | undefined, never>;
}

export interface TraceChunksTable {
  run: string;
  seq: number;
  frames: number;
  data: Uint8Array;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ProblemsTable {
  slug: string;
  version: string;
  doc: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RunUsersTable {
  run: string;
  user_id: string;
  name: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ProgressTable {
  user_id: string;
  problem: string;
  name: string | null;
  attempts: number;
  best_passed: number;
  total: number;
  first_solved_at: Date | null;
  best_wall_ms: number | null;
  best_peak_mem_kb: number | null;
  best_run: string | null;
  last_attempt_at: Date;
}

export interface Database {
  runs: RunsTable;
  sessions: SessionsTable;
  trace_chunks: TraceChunksTable;
  problems: ProblemsTable;
  run_users: RunUsersTable;
  progress: ProgressTable;
}
