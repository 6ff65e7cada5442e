/** Durable traces: a run's frames as sent (MessagePack, with their log positions), gzip-compressed in chunks. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trace_chunks')
    .addColumn('run', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('frames', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('trace_chunks_pk', ['run', 'seq'])
    .execute();
  await db.schema.createIndex('trace_chunks_created_at').on('trace_chunks').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trace_chunks').execute();
}
