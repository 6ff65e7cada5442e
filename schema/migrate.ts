/** Applies the migrations in schema/migrations/ (in name order) with kysely's Migrator. */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as runs from './migrations/0001_runs.ts';
import * as sessions from './migrations/0002_sessions.ts';
import * as traces from './migrations/0003_traces.ts';
import * as runTests from './migrations/0004_run_tests.ts';
import * as problems from './migrations/0005_problems.ts';
import * as sessionOwners from './migrations/0006_session_owners.ts';
import * as progress from './migrations/0007_progress.ts';

// Static imports, not a folder scan: the set of migrations is part of the code and type-checked.
const migrations: Record<string, Migration> = { '0001_runs': runs, '0002_sessions': sessions, '0003_traces': traces, '0004_run_tests': runTests, '0005_problems': problems, '0006_session_owners': sessionOwners, '0007_progress': progress };

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider, migrationTableName: 'tracecast_migrations', migrationLockTableName: 'tracecast_migrations_lock' }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
}
