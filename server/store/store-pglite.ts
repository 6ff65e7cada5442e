/** The Postgres store on an embedded PGlite database: the default with no DATABASE_URL, so one process needs no Postgres server. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Database } from '../../schema/tables.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { PostgresStore } from './store-postgres.ts';

/**
 * Postgres settings PGlite starts with, past its own defaults. PGlite's WebAssembly memory never shrinks, so what
 * counts is the peak inside it (bench/memory/README.md has the figures):
 * - `shared_buffers`: Postgres's default, 128 MB, is allocated and touched when PGlite starts, 151 MB of the
 *   WebAssembly memory resident before the first query. 16 MB (2,048 pages) holds the pages a server's queries touch
 *   (the newest runs, the sessions, the indexes); at 16 MB, 29 MB is resident at start, 45 MB after the problem import,
 *   and neither 1,000 runs' records nor 50 MB of trace chunks move it.
 * - `maintenance_work_mem`: the most the VACUUM after each prune may take (default 64 MB); it takes what the dead
 *   chunks need, a few kB an hour in a class.
 */
const SETTINGS: Record<string, string> = { shared_buffers: '16MB', maintenance_work_mem: '16MB' };

// PGlite's errno values are Emscripten's, not the host's: the names of those a data folder can meet.
const EMSCRIPTEN_ERRNO: Record<number, string> = { 2: 'EACCES', 10: 'EBUSY', 20: 'EEXIST', 29: 'EIO', 31: 'EISDIR', 32: 'ELOOP', 44: 'ENOENT', 51: 'ENOSPC', 54: 'ENOTDIR', 55: 'ENOTEMPTY', 63: 'EPERM', 69: 'EROFS' };

/**
 * `dataDir` is a folder (created when missing) or `memory://` for a database that ends
 * with the process. A folder is refused while another open store (in any process) holds it.
 */
export async function openPgliteStore(dataDir: string): Promise<PostgresStore> {
  const options = { startParams: [...PGlite.defaultStartParams, ...Object.entries(SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])] };
  // `vacuumAfterPrune`: PGlite runs Postgres in single-user mode, where autovacuum never runs.
  if (dataDir.startsWith('memory://')) return PostgresStore.fromDatabase(new Kysely<Database>({ dialect: new PgliteDialect(await PGlite.create(dataDir, options), async () => {}) }), { vacuumAfterPrune: true });
  let dir: string;
  try {
    // PGlite creates the last folder of the path only, and cannot open one whose path goes through a symlink.
    await mkdir(dataDir, { recursive: true });
    dir = await realpath(dataDir);
  } catch (err) {
    throw openFailure(dataDir, err);
  }
  const unlock = await lockDataDir(dir);
  let db: PGlite;
  try {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await createCluster(dir);
    db = await PGlite.create(dir, options);
  } catch (err) {
    await unlock();
    throw openFailure(dir, err);
  }
  return PostgresStore.fromDatabase(new Kysely<Database>({ dialect: new PgliteDialect(db, unlock) }), { vacuumAfterPrune: true });
}

/**
 * PGlite's initdb builds the new database in memory, then copies it into the folder: right after `PGlite.create` on
 * an empty folder the process holds 631 MB of external memory (WebAssembly memories, a tar image of the database): the
 * server peaked at 847-917 MB resident, and stayed at 840 MB in one bench, as only a full garbage collection frees it
 * and a server making little JavaScript garbage may not run one for hours. A child process creates the database
 * instead and that memory leaves with it: the server peaks at 325 MB.
 */
async function createCluster(dir: string): Promise<void> {
  const script = 'const { PGlite } = await import(process.argv[1]); const db = await PGlite.create(process.argv[2]); await db.close();';
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, import.meta.resolve('@electric-sql/pglite'), dir], { timeout: 300_000, maxBuffer: 4 << 20 });
  } catch (err) {
    const { stderr, code, signal } = err as { stderr?: string; code?: unknown; signal?: unknown };
    // The child's own report (PGlite's error, inspected by Node) is the useful part.
    throw new Error(`creating the database in a child process failed (${signal ? `signal ${String(signal)}` : `exit ${String(code)}`}): ${String(stderr ?? '').trim().slice(-2000) || (err as Error).message}`);
  }
}

/** Why opening failed and what to try; PGlite throws Emscripten objects with an errno and no message or stack. */
export function openFailure(dataDir: string, err: unknown): Error {
  let why: string;
  if (err instanceof Error && err.message) why = err.message;
  else {
    const errno = (err as { errno?: unknown } | null)?.errno;
    const name = typeof errno === 'number' ? EMSCRIPTEN_ERRNO[errno] : undefined;
    why = `${typeof errno === 'number' ? `errno ${errno}${name ? ` (${name})` : ''}: ` : ''}${inspect(err, { depth: 2, breakLength: Infinity })}`;
  }
  return new Error(
    `PGlite could not open its data folder ${dataDir}: ${why}. Give it a folder it can create and write, on a real path (TRACECAST_DATA_DIR=<a real folder>), or keep runs in memory only (TRACECAST_STORE=memory)`,
    { cause: err },
  );
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
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw openFailure(dataDir, err);
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
