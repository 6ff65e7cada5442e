/** Graded runs (`test`): which problem, and how many of its cases passed, for per-problem stats and leaderboards. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('problem', 'text').addColumn('passed', 'integer').addColumn('total', 'integer').execute();
  await db.schema.createIndex('runs_problem_idx').on('runs').columns(['problem', 'seq']).where('problem', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('runs_problem_idx').execute();
  await db.schema.alterTable('runs').dropColumn('problem').dropColumn('passed').dropColumn('total').execute();
}
