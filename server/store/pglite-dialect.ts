/** A kysely dialect over an embedded PGlite database: Postgres SQL, so the Postgres adapter, compiler and introspector apply. */
import { Mutex, type PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

// Kysely's PostgresDriver counts rows only for these commands; the same here keeps both adapters alike.
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly db: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.db.query<R>(query.sql, [...query.parameters]);
    const counted = result.command !== undefined && COUNTED.has(result.command);
    return { rows: result.rows, ...(counted ? { numAffectedRows: BigInt(result.affectedRows ?? 0) } : {}) };
  }

  // PGlite has no cursors and holds every result in memory anyway: one chunk is all there is.
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(query);
  }
}

class PgliteDriver implements Driver {
  private readonly connection: PgliteConnection;
  // PGlite is a single session: a transaction's statements must not interleave with anyone
  // else's, so a connection is lent to one caller at a time.
  private readonly mutex = new Mutex();
  private release: (() => void) | null = null;

  constructor(
    private readonly db: PGlite,
    private readonly afterClose: () => Promise<void>,
  ) {
    this.connection = new PgliteConnection(db);
  }

  async init(): Promise<void> {
    await this.db.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.release = await this.mutex.acquire();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const access = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`start transaction${isolation}${access}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = null;
    release?.();
  }

  // Waits for the connection's holder, as pg's pool.end() waits for its clients.
  async destroy(): Promise<void> {
    await this.mutex.runExclusive(() => this.db.close());
    await this.afterClose();
  }
}

/** The dialect owns the database: destroying the Kysely instance closes it, then calls `afterClose`. */
export class PgliteDialect implements Dialect {
  constructor(
    private readonly db: PGlite,
    private readonly afterClose: () => Promise<void>,
  ) {}

  createDriver(): Driver {
    return new PgliteDriver(this.db, this.afterClose);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
