/** Store on Postgres through kysely and pg; runs the migrations on open. */
import { Kysely, PostgresDialect, sql, type Selectable } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../schema/migrate.ts';
import type { Database, ProgressTable, RunsTable, SessionsTable } from '../../schema/tables.ts';
import { DuplicateJoinCode, type Attempt, type Progress, type RunRecord, type SessionRecord, type Store, type StoredProblem, type TraceChunk } from './store.ts';

export interface PostgresStoreOptions {
  /**
   * VACUUM the trace chunks after a prune removed some. A Postgres server's autovacuum does it unasked; PGlite runs
   * Postgres in single-user mode, where nothing does, and the space of pruned chunks would never be reused: the data
   * folder would grow by every trace ever stored, whatever the retention.
   */
  vacuumAfterPrune?: boolean;
}

export class PostgresStore implements Store {
  private constructor(
    private readonly db: Kysely<Database>,
    private readonly options: PostgresStoreOptions,
  ) {}

  static async open(connectionString: string): Promise<PostgresStore> {
    return PostgresStore.fromDatabase(new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 4 }) }) }));
  }

  /** Any Postgres-speaking database (store-pglite.ts passes PGlite); the store owns it and closes it. */
  static async fromDatabase(db: Kysely<Database>, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new PostgresStore(db, options);
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.db
      .insertInto('runs')
      .values({
        id: run.id,
        session: run.session,
        language: run.language,
        code: run.code,
        verdict: run.verdict,
        wall_ms: run.wallMs,
        peak_mem_kb: run.peakMemKb,
        steps: run.steps,
        error: run.error ? JSON.stringify(run.error) : null,
        created_at: run.createdAt,
        problem: run.test?.problem ?? null,
        passed: run.test?.passed ?? null,
        total: run.test?.total ?? null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Runs with the user each was assigned, if any. */
  private runs() {
    return this.db.selectFrom('runs').leftJoin('run_users', 'run_users.run', 'runs.id').selectAll('runs').select(['run_users.user_id', 'run_users.name as user_name']);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const row = await this.runs().where('runs.id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async sessionRuns(session: string): Promise<RunRecord[]> {
    const rows = await this.runs().where('runs.session', '=', session).orderBy('runs.seq').execute();
    return rows.map(toRecord);
  }

  async problemRuns(problem: string): Promise<RunRecord[]> {
    const rows = await this.runs().where('runs.problem', '=', problem).orderBy('runs.seq').execute();
    return rows.map(toRecord);
  }

  async assignRun(run: string, user: string, name: string | null): Promise<void> {
    await this.db.insertInto('run_users').values({ run, user_id: user, name }).onConflict((oc) => oc.column('run').doNothing()).execute();
  }

  async recordAttempt(a: Attempt): Promise<void> {
    // One statement, so concurrent attempts of one user all count; the rule is store/progress.ts's foldAttempt.
    const solvedAt = a.solved ? a.at : null;
    const wall = a.solved ? a.wallMs : null;
    const mem = a.solved ? a.peakMemKb : null;
    const run = a.solved ? a.run : null;
    const better = sql`(excluded.best_wall_ms is not null and (progress.best_wall_ms is null or excluded.best_wall_ms < progress.best_wall_ms
      or (excluded.best_wall_ms = progress.best_wall_ms and coalesce(excluded.best_peak_mem_kb, 2147483647) < coalesce(progress.best_peak_mem_kb, 2147483647))))`;
    await sql`insert into progress (user_id, problem, name, attempts, best_passed, total, first_solved_at, best_wall_ms, best_peak_mem_kb, best_run, last_attempt_at)
      values (${a.user}, ${a.problem}, ${a.name}, 1, ${a.passed}, ${a.total}, ${solvedAt}, ${wall}, ${mem}, ${run}, ${a.at})
      on conflict (user_id, problem) do update set
        name = coalesce(excluded.name, progress.name),
        attempts = progress.attempts + 1,
        best_passed = greatest(progress.best_passed, excluded.best_passed),
        total = excluded.total,
        first_solved_at = coalesce(progress.first_solved_at, excluded.first_solved_at),
        best_wall_ms = case when ${better} then excluded.best_wall_ms else progress.best_wall_ms end,
        best_peak_mem_kb = case when ${better} then excluded.best_peak_mem_kb else progress.best_peak_mem_kb end,
        best_run = case when ${better} then excluded.best_run else progress.best_run end,
        last_attempt_at = greatest(progress.last_attempt_at, excluded.last_attempt_at)`.execute(this.db);
  }

  async userProgress(user: string): Promise<Progress[]> {
    const rows = await this.db.selectFrom('progress').selectAll().where('user_id', '=', user).orderBy('problem').execute();
    return rows.map(toProgress);
  }

  async deleteRunsBefore(date: Date): Promise<number> {
    // One statement: the runs and their users go together, however many.
    const { rows } = await sql<{ n: string }>`with gone as (delete from runs where created_at < ${date} returning id),
      users as (delete from run_users where run in (select id from gone))
      select count(*) as n from gone`.execute(this.db);
    // Users of runs never recorded (their runner was lost before it wrote them) go by their own age.
    await sql`delete from run_users u where u.created_at < ${date} and not exists (select 1 from runs r where r.id = u.run)`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async createSession(session: SessionRecord): Promise<void> {
    try {
      await this.db
        .insertInto('sessions')
        .values({ id: session.id, join_code: session.joinCode, owner_key_hash: session.ownerKeyHash, title: session.title, created_at: session.createdAt, closed_at: session.closedAt, owner: session.owner })
        .execute();
    } catch (err) {
      if ((err as { code?: string }).code === '23505' && String((err as Error).message).includes('join_code')) throw new DuplicateJoinCode(session.joinCode);
      throw err;
    }
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async sessionByCode(joinCode: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('join_code', '=', joinCode).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async updateSession(id: string, change: { title?: string; closedAt?: Date }): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ ...(change.title !== undefined ? { title: change.title } : {}), ...(change.closedAt ? { closed_at: change.closedAt } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async addTraceChunk(chunk: TraceChunk): Promise<void> {
    await this.db
      .insertInto('trace_chunks')
      .values({ run: chunk.run, seq: chunk.seq, frames: chunk.frames, data: chunk.data })
      .onConflict((oc) => oc.columns(['run', 'seq']).doNothing())
      .execute();
  }

  async traceChunks(run: string, page?: { fromSeq: number; limit: number }): Promise<TraceChunk[]> {
    let query = this.db.selectFrom('trace_chunks').select(['run', 'seq', 'frames', 'data']).where('run', '=', run).orderBy('seq');
    if (page) query = query.where('seq', '>=', page.fromSeq).limit(page.limit);
    const rows = await query.execute();
    return rows.map((r) => ({ run: r.run, seq: r.seq, frames: r.frames, data: new Uint8Array(r.data) }));
  }

  async deleteTracesBefore(date: Date): Promise<number> {
    const result = await this.db.deleteFrom('trace_chunks').where('created_at', '<', date).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    if (deleted > 0 && this.options.vacuumAfterPrune) await sql`vacuum trace_chunks`.execute(this.db);
    return deleted;
  }

  async saveProblem(problem: StoredProblem): Promise<'created' | 'updated' | 'unchanged'> {
    // One statement, so concurrent saves (two gateways starting) cannot interleave; xmax = 0 marks an inserted row.
    const row = await this.db
      .insertInto('problems')
      .values({ slug: problem.slug, version: problem.version, doc: JSON.stringify(problem.doc) })
      .onConflict((oc) =>
        oc
          .column('slug')
          .doUpdateSet({ version: (eb) => eb.ref('excluded.version'), doc: (eb) => eb.ref('excluded.doc'), updated_at: sql`now()` })
          .where('problems.version', '<>', (eb) => eb.ref('excluded.version')),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .executeTakeFirst();
    return !row ? 'unchanged' : row.inserted ? 'created' : 'updated';
  }

  async listProblems(): Promise<StoredProblem[]> {
    return this.db.selectFrom('problems').select(['slug', 'version', 'doc']).orderBy('slug').execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return { id: row.id, joinCode: row.join_code, ownerKeyHash: row.owner_key_hash, title: row.title, createdAt: row.created_at, closedAt: row.closed_at, owner: row.owner };
}

function toProgress(row: Selectable<ProgressTable>): Progress {
  return {
    user: row.user_id,
    problem: row.problem,
    name: row.name,
    attempts: row.attempts,
    bestPassed: row.best_passed,
    total: row.total,
    firstSolvedAt: row.first_solved_at,
    best: row.best_run !== null && row.best_wall_ms !== null ? { run: row.best_run, wallMs: row.best_wall_ms, peakMemKb: row.best_peak_mem_kb } : null,
    lastAttemptAt: row.last_attempt_at,
  };
}

function toRecord(row: Selectable<RunsTable> & { user_id: string | null; user_name: string | null }): RunRecord {
  return {
    id: row.id,
    session: row.session,
    language: row.language as RunRecord['language'],
    code: row.code,
    verdict: row.verdict as RunRecord['verdict'],
    wallMs: row.wall_ms,
    peakMemKb: row.peak_mem_kb,
    steps: row.steps,
    error: (row.error as RunRecord['error']) ?? null,
    createdAt: row.created_at,
    test: row.problem !== null ? { problem: row.problem, passed: row.passed ?? 0, total: row.total ?? 0 } : null,
    ...(row.user_id !== null ? { user: { id: row.user_id, name: row.user_name } } : {}),
  };
}
