/** One contract test for the run store, run against every adapter: in-memory, Postgres and PGlite (in memory and in a data folder). */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { RunRecord, Store } from '../../server/store/store.ts';
import { MemoryStore } from '../../server/store/store-memory.ts';
import { openPgliteStore } from '../../server/store/store-pglite.ts';
import { PostgresStore } from '../../server/store/store-postgres.ts';
import { requireEnv } from '../support/server.ts';

const record = (session: string, over: Partial<RunRecord> = {}): RunRecord => ({
  id: nanoid(),
  session,
  language: 'python',
  code: 'print(1)\n',
  verdict: 'ok',
  wallMs: 12.5,
  peakMemKb: 9000,
  steps: 3,
  error: null,
  createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
  test: null,
  ...over,
});

const folders: string[] = [];
after(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

const adapters: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => new MemoryStore()],
  ['postgres', () => PostgresStore.open(requireEnv('DATABASE_URL'))],
  ['pglite', () => openPgliteStore('memory://')],
  // What `npm start` uses: a new data folder, so the database is created (in a child process) and then opened.
  [
    'pglite (data folder)',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tracecast-store-'));
      folders.push(dir);
      return openPgliteStore(dir);
    },
  ],
];

for (const [name, open] of adapters) {
  describe(`store contract: ${name}`, () => {
    const ready = open();
    after(async () => (await ready).close());

    it('records a run and reads it back', async () => {
      const store = await ready;
      const run = record(nanoid(), { verdict: 'runtime_error', error: { type: 'ZeroDivisionError', message: 'division by zero', line: 2 } });
      await store.recordRun(run);
      assert.deepEqual(await store.getRun(run.id), run);
      assert.equal(await store.getRun('missing'), null);
    });

    it('stores trace chunks in seq order, idempotently, and prunes them by age', async () => {
      const store = await ready;
      const run = nanoid();
      const chunk = (seq: number) => ({ run, seq, frames: seq + 1, data: new Uint8Array([seq, 0, 255, 7]) });
      await store.addTraceChunk(chunk(1));
      await store.addTraceChunk(chunk(0));
      await store.addTraceChunk({ ...chunk(0), data: new Uint8Array([9]) });
      await store.addTraceChunk({ ...chunk(0), run: nanoid() });
      assert.deepEqual(await store.traceChunks(run), [chunk(0), chunk(1)]);
      assert.deepEqual(await store.traceChunks('missing'), []);
      assert.deepEqual(await store.traceChunks(run, { fromSeq: 1, limit: 5 }), [chunk(1)]);
      assert.deepEqual(await store.traceChunks(run, { fromSeq: 0, limit: 1 }), [chunk(0)]);
      // The Postgres test database is shared with the suite's servers (and keeps earlier runs' traces): pruning there would race them.
      if (name === 'postgres') return;
      assert.equal(await store.deleteTracesBefore(new Date(Date.now() - 3600_000)), 0);
      assert.ok((await store.deleteTracesBefore(new Date(Date.now() + 1000))) >= 3);
      assert.deepEqual(await store.traceChunks(run), []);
    });

    it('keeps what a graded run scored, and lists a problem\'s graded runs oldest first', async () => {
      const store = await ready;
      const problem = `p${nanoid(8).toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
      const graded = [record(nanoid(), { test: { problem, passed: 3, total: 14 } }), record(nanoid(), { test: { problem, passed: 14, total: 14 } })];
      for (const r of graded) await store.recordRun(r);
      await store.recordRun(record(nanoid(), { test: { problem: `${problem}x`, passed: 1, total: 1 } }));
      await store.recordRun(record(nanoid()));
      assert.deepEqual(await store.problemRuns(problem), graded);
      assert.deepEqual(await store.problemRuns('no_such_problem'), []);
    });

    it('saves problems by slug, says whether each was created, updated or unchanged, and lists them by slug', async () => {
      const store = await ready;
      const slug = `p${nanoid(10).toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
      const doc = { slug, title: 'T', cases: [{ id: 'a', args: [1], expected: 2 }] };
      assert.equal(await store.saveProblem({ slug, version: 'v1', doc }), 'created');
      assert.equal(await store.saveProblem({ slug, version: 'v1', doc: { ...doc, title: 'ignored: same version' } }), 'unchanged');
      assert.equal(await store.saveProblem({ slug, version: 'v2', doc: { ...doc, title: 'T2' } }), 'updated');
      await store.saveProblem({ slug: `${slug}_b`, version: 'v1', doc });
      const mine = (await store.listProblems()).filter((p) => p.slug.startsWith(slug));
      assert.deepEqual(mine, [{ slug, version: 'v2', doc: { ...doc, title: 'T2' } }, { slug: `${slug}_b`, version: 'v1', doc }]);
    });

    it('is idempotent per run id', async () => {
      const store = await ready;
      const run = record(nanoid());
      await store.recordRun(run);
      await store.recordRun({ ...run, verdict: 'timeout' });
      assert.equal((await store.getRun(run.id))?.verdict, 'ok');
    });

    it('lists a session\'s runs oldest first', async () => {
      const store = await ready;
      const session = nanoid();
      const runs = [record(session), record(session), record(session)];
      for (const r of runs) await store.recordRun(r);
      await store.recordRun(record(nanoid()));
      assert.deepEqual((await store.sessionRuns(session)).map((r) => r.id), runs.map((r) => r.id));
    });
  });
}
