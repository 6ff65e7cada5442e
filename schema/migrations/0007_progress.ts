/** Who ran what (run_users: a run's user and display name, from its token), each user's progress per problem (kept past the runs' retention), and an index for deleting runs by age. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('run_users')
    .addColumn('run', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('runs_created_idx').on('runs').column('created_at').execute();
  await db.schema
    .createTable('progress')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('best_passed', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('first_solved_at', 'timestamptz')
    .addColumn('best_wall_ms', 'double precision')
    .addColumn('best_peak_mem_kb', 'integer')
    .addColumn('best_run', 'text')
    .addColumn('last_attempt_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('progress_pk', ['user_id', 'problem'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('progress').execute();
  await db.schema.dropIndex('runs_created_idx').execute();
  await db.schema.dropTable('run_users').execute();
}
