/**
 * What only the PGlite adapter does with its data folder (store.test.ts runs the store contract on it): where the
 * folder may be, what a failure to open it says, how little memory opening it leaves, and that pruned traces' space
 * is reused.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema/tables.ts';
import type { Store } from '../../server/store/store.ts';
import { openFailure, openPgliteStore } from '../../server/store/store-pglite.ts';

const MB = 1024 * 1024;

/** Bytes of the folder's relation files (base/): what the tables take on disk, without the WAL. */
async function tableBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path.join(dataDir, 'base'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return total;
}

// gzip output does not compress further: chunks of it take their full size in the table, as these do.
const randomChunk = (run: string, seq: number) => ({ run, seq, frames: 1, data: new Uint8Array(Array.from({ length: 64 * 1024 }, () => (Math.random() * 256) | 0)) });

describe('PGlite store: the data folder', () => {
  const root = mkdtemp(path.join(tmpdir(), 'tracecast-pglite-store-'));
  after(async () => rm(await root, { recursive: true, force: true }));

  it('creates a new folder in a child process: opening it leaves little memory in this one', async () => {
    const dir = path.join(await root, 'new');
    const before = process.memoryUsage().external;
    const store = await openPgliteStore(dir);
    try {
      // PGlite's initdb in this process left ~600 MB of WebAssembly memories and buffers here (external 631 MB
      // right after PGlite.create); the database opened on the folder it made reserves 128 MB.
      const added = (process.memoryUsage().external - before) / MB;
      assert.ok(added < 300, `opening a new data folder added ${added.toFixed(0)} MB of external memory`);
      // Postgres's default, 128 MB, is touched when PGlite starts and never given back.
      const db = (store as unknown as { db: Kysely<Database> }).db; // the adapter's database, which the Store port does not show
      assert.equal((await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db)).rows[0].shared_buffers, '16MB');
    } finally {
      await store.close();
    }
  });

  it('opens a folder given through a symlink (PGlite itself cannot: errno 44, no message)', async () => {
    const real = path.join(await root, 'real');
    const link = path.join(await root, 'link');
    await mkdir(real);
    await symlink(real, link);
    const store = await openPgliteStore(link);
    try {
      await store.recordRun({ id: 'r1', session: 's1', language: 'python', code: 'x = 1\n', verdict: 'ok', wallMs: 1, peakMemKb: null, steps: 1, error: null, createdAt: new Date(), test: null });
      assert.equal((await store.getRun('r1'))?.verdict, 'ok');
    } finally {
      await store.close();
    }
    await stat(path.join(real, 'PG_VERSION'));
  });

  it('a data folder that is a file: the error names the folder, the cause, and what to try', async () => {
    const file = path.join(await root, 'a-file');
    await writeFile(file, 'not a folder');
    await assert.rejects(openPgliteStore(file), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /EEXIST/);
      assert.match(err.message, /TRACECAST_DATA_DIR=<a real folder>/);
      assert.match(err.message, /TRACECAST_STORE=memory/);
      return true;
    });
  });

  it('a folder PGlite cannot start on: its error, wrapped with the folder and what to try; the folder is not left locked', async () => {
    const dir = path.join(await root, 'not-a-database');
    await mkdir(dir);
    await writeFile(path.join(dir, 'PG_VERSION'), '17\n');
    await assert.rejects(openPgliteStore(dir), (err: Error) => {
      assert.ok(err.message.startsWith(`PGlite could not open its data folder ${dir}: `), err.message);
      assert.match(err.message, /TRACECAST_STORE=memory/);
      return true;
    });
    assert.deepEqual((await readdir(dir)).sort(), ['PG_VERSION']);
  });

  it('an Emscripten error object (an errno, no message): the message shows the errno, its name and the object', () => {
    const err = openFailure('/data/tc', { errno: 44 });
    assert.match(err.message, /^PGlite could not open its data folder \/data\/tc: errno 44 \(ENOENT\): \{ errno: 44 \}\. /);
    assert.match(err.message, /TRACECAST_DATA_DIR=<a real folder>.*TRACECAST_STORE=memory/);
    assert.deepEqual(err.cause, { errno: 44 });
  });

  it('reuses the space of pruned trace chunks: the tables do not grow by what retention removed', async () => {
    const dir = path.join(await root, 'retention');
    const store: Store = await openPgliteStore(dir);
    try {
      const empty = await tableBytes(dir);
      for (let seq = 0; seq < 32; seq++) await store.addTraceChunk(randomChunk('old', seq));
      const full = await tableBytes(dir);
      const first = full - empty;
      assert.ok(first > MB, `32 chunks of 64 KiB took ${first} bytes`);
      assert.equal(await store.deleteTracesBefore(new Date(Date.now() + 1000)), 32);
      for (let seq = 0; seq < 32; seq++) await store.addTraceChunk(randomChunk('new', seq));
      // Without a VACUUM (single-user Postgres has no autovacuum) the new chunks take new pages: as much again.
      const more = (await tableBytes(dir)) - full;
      assert.ok(more < first / 2, `the same chunks after a prune took ${more} bytes more (the first ones ${first})`);
      assert.equal((await store.traceChunks('new')).length, 32);
    } finally {
      await store.close();
    }
  });
});
