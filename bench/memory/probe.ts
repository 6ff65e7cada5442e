/**
 * bench/memory probe: which of the store's work grows PGlite's WebAssembly memory, in this process, phase by phase:
 * creating a data folder, opening it again, the migrations, the problem import, run records, trace chunks small and
 * large, replay reads, a prune. See bench/memory/README.md.
 *
 *   node --import tsx bench/memory/probe.ts                          # Postgres's default shared_buffers (128MB), then 16MB
 *   node --import tsx bench/memory/probe.ts --shared-buffers 16MB     # one setting
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Database } from '../../schema/tables.ts';
import { paths } from '../../server/paths.ts';
import { importIntoStore } from '../../server/problems/catalog-store.ts';
import { PgliteDialect } from '../../server/store/pglite-dialect.ts';
import { PostgresStore } from '../../server/store/store-postgres.ts';

const MB = 1024 * 1024;

function statusMb(field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

/** Resident MB of the mapping that holds the WebAssembly memory (the anonymous mapping of its size). */
function wasmResidentMb(bytes: number): number {
  let inMemory = false;
  let resident = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) {
      const size = parseInt(range[2], 16) - parseInt(range[1], 16);
      inMemory = size >= bytes && size <= bytes + MB;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && inMemory) resident = Math.max(resident, Number(rss[1]) / 1024);
  }
  return resident;
}

interface Row {
  phase: string;
  rss: number;
  external: number;
  wasm: number;
  wasmResident: number;
}

function sample(db: PGlite, phase: string, rows: Row[]): void {
  // The garbage of a phase is not its cost: what stays after a full collection is.
  (globalThis as { gc?: () => void }).gc?.();
  const bytes = (db as unknown as { mod: { HEAPU8: Uint8Array } }).mod.HEAPU8.buffer.byteLength;
  rows.push({ phase, rss: statusMb('VmRSS'), external: process.memoryUsage().external / MB, wasm: bytes / MB, wasmResident: wasmResidentMb(bytes) });
}

const record = (i: number) => ({
  id: `run-${i}`,
  session: `session-${i % 40}`,
  language: 'python' as const,
  code: 'nums = [64, 25, 12, 22, 11, 90, 3, 47, 5, 38]\nn = len(nums)\nfor i in range(n):\n    pass\nprint(nums)\n',
  verdict: 'ok' as const,
  wallMs: 20,
  peakMemKb: 9000,
  steps: 179,
  error: null,
  createdAt: new Date(),
  test: null,
});

async function probe(sharedBuffers: string | null): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = await mkdtemp(path.join(realpathSync(tmpdir()), 'tracecast-probe-'));
  const options = sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] } : {};
  try {
    // In this process, as the store did before the child process: what creating a folder leaves behind.
    const created = await PGlite.create(dir, options);
    sample(created, 'PGlite.create on a new folder', rows);
    await created.close();

    const db = await PGlite.create(dir, options);
    sample(db, 'PGlite.create on that folder again', rows);
    const store = await PostgresStore.fromDatabase(new Kysely<Database>({ dialect: new PgliteDialect(db, async () => {}) }), { vacuumAfterPrune: true });
    sample(db, 'migrations', rows);
    await importIntoStore(store, paths.problems);
    sample(db, 'problem import (problems/)', rows);
    for (let i = 0; i < 1000; i++) await store.recordRun(record(i));
    sample(db, '1,000 run records', rows);
    // An ordinary run's trace is one chunk of 0.7-1 kB (gzip output: random bytes are as incompressible).
    for (let i = 0; i < 1000; i++) await store.addTraceChunk({ run: `run-${i}`, seq: 0, frames: 10, data: randomBytes(900) });
    sample(db, '1,000 trace chunks of 900 B', rows);
    // A long run's chunks (256 KiB of frames before gzip): 50 MB in all.
    for (let seq = 0; seq < 200; seq++) await store.addTraceChunk({ run: 'long', seq, frames: 500, data: randomBytes(256 * 1024) });
    sample(db, '200 trace chunks of 256 KiB', rows);
    for (let fromSeq = 0; fromSeq < 200; fromSeq += 8) await store.traceChunks('long', { fromSeq, limit: 8 });
    sample(db, 'replay of those (8 chunks a read)', rows);
    for (let i = 0; i < 40; i++) await store.sessionRuns(`session-${i}`);
    sample(db, 'sessionRuns of 40 sessions', rows);
    await store.deleteTracesBefore(new Date(Date.now() + 1000));
    sample(db, 'prune of every chunk, then VACUUM', rows);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

const arg = process.argv.indexOf('--shared-buffers');
const settings = arg >= 0 ? [process.argv[arg + 1]] : [null, '16MB'];
if (!(globalThis as { gc?: unknown }).gc) console.error('(run with --expose-gc to sample after a full collection)');
for (const sb of settings) {
  const rows = await probe(sb);
  console.log(`\nshared_buffers ${sb ?? '128MB (default)'}: MB after each phase (RSS and external of the process, WebAssembly memory reserved and resident)\n`);
  console.log('| phase | RSS | external | wasm | wasm resident |');
  console.log('|:--|--:|--:|--:|--:|');
  for (const r of rows) console.log(`| ${r.phase} | ${r.rss.toFixed(0)} | ${r.external.toFixed(0)} | ${r.wasm.toFixed(0)} | ${r.wasmResident.toFixed(0)} |`);
}
