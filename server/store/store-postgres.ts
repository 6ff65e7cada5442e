/** Store on Postgres through kysely and pg; runs the migrations on open. */
import { Kysely, PostgresDialect, sql, type Selectable } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../schema/migrate.ts';
import type { Database, RunsTable, SessionsTable } from '../../schema/tables.ts';
import { DuplicateJoinCode, type RunRecord, type SessionRecord, type Store, type StoredProblem, type TraceChunk } from './store.ts';

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

  async getRun(id: string): Promise<RunRecord | null> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async sessionRuns(session: string): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('session', '=', session).orderBy('seq').execute();
    return rows.map(toRecord);
  }

  async problemRuns(problem: string): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('problem', '=', problem).orderBy('seq').execute();
    return rows.map(toRecord);
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

function toRecord(row: Selectable<RunsTable>): RunRecord {
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
  };
}
