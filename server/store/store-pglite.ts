/** The Postgres store on an embedded PGlite database: the default with no DATABASE_URL, so one process needs no Postgres server. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Database } from '../../schema/tables.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { PostgresStore } from './store-postgres.ts';

/**
 * `dataDir` is a folder (created when missing) or `memory://` for a database that ends
 * with the process. A folder is refused while another open store (in any process) holds it.
 */
export async function openPgliteStore(dataDir: string): Promise<PostgresStore> {
  const inMemory = dataDir.startsWith('memory://');
  // PGlite creates the last folder of the path only.
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const unlock = inMemory ? async () => {} : await lockDataDir(dataDir);
  const db = await PGlite.create(dataDir).catch(async (err) => {
    await unlock();
    throw err;
  });
  return PostgresStore.fromDatabase(new Kysely<Database>({ dialect: new PgliteDialect(db, unlock) }));
}

// PGlite does not lock its folder, and two processes on one folder silently lose each
// other's writes. The lock file names its holder, so one a crashed process left is taken over.
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'tracecast.pid');
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''));
    // An empty file may be a lock being written right now: only a named, dead holder is stale.
    if (!Number.isInteger(holder) || holder <= 0 || alive(holder)) throw new Error(`PGlite data directory ${dataDir} is in use (${file}: ${holder || 'no pid'})`);
    await rm(file, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
