/** One contract test for the run store, run against every adapter: in-memory, Postgres and PGlite (in memory and in a data folder). */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { Attempt, RunRecord, Store } from '../../server/store/store.ts';
import { MemoryStore } from '../../server/store/store-memory.ts';
import { openPgliteStore } from '../../server/store/store-pglite.ts';
import { PostgresStore } from '../../server/store/store-postgres.ts';
import { requireEnv, skipWithout } from '../support/server.ts';

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

// Only the Postgres adapter needs a server: PGlite is Postgres compiled to WebAssembly, in this process.
const postgresSkip = skipWithout('DATABASE_URL');

for (const [name, open] of adapters) {
  describe(`store contract: ${name}`, { skip: name === 'postgres' && postgresSkip }, () => {
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

    it('names a run\'s user (assigned before or after the run is recorded), keeps a session\'s opening user', async () => {
      const store = await ready;
      const before = record(nanoid());
      await store.assignRun(before.id, 'ada', 'Ada L.');
      await store.recordRun(before);
      const afterwards = record(before.session);
      await store.recordRun(afterwards);
      await store.assignRun(afterwards.id, 'bob', null);
      await store.assignRun(afterwards.id, 'mallory', 'M');
      const anonymous = record(before.session);
      await store.recordRun(anonymous);
      assert.deepEqual(await store.getRun(before.id), { ...before, user: { id: 'ada', name: 'Ada L.' } });
      assert.deepEqual((await store.sessionRuns(before.session)).map((r) => r.user ?? null), [{ id: 'ada', name: 'Ada L.' }, { id: 'bob', name: null }, null]);
      const session = { id: nanoid(), joinCode: nanoid(6), ownerKeyHash: 'h', title: 't', createdAt: new Date(Math.floor(Date.now() / 1000) * 1000), closedAt: null, owner: 'teacher' };
      await store.createSession(session);
      assert.deepEqual(await store.getSession(session.id), session);
    });

    it('folds graded attempts into progress per user and problem: attempts, best result, first solved, best time (ties: memory)', async () => {
      const store = await ready;
      const user = `u${nanoid(8)}`;
      const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const attempt = (over: Partial<Attempt>): Attempt => ({ user, name: 'Ada', problem: 'two_sum', run: nanoid(), passed: 3, total: 14, solved: false, wallMs: 50, peakMemKb: 9000, at: t(0), ...over });
      await store.recordAttempt(attempt({ passed: 3, at: t(1) }));
      assert.deepEqual(await store.userProgress(user), [{ user, problem: 'two_sum', name: 'Ada', attempts: 1, bestPassed: 3, total: 14, firstSolvedAt: null, best: null, lastAttemptAt: t(1) }]);
      const solved = attempt({ passed: 14, solved: true, wallMs: 40, peakMemKb: 9000, at: t(2) });
      await store.recordAttempt(solved);
      await store.recordAttempt(attempt({ passed: 14, solved: true, wallMs: 60, at: t(3) }));
      const tie = attempt({ passed: 14, solved: true, wallMs: 40, peakMemKb: 8000, at: t(4) });
      await Promise.all([store.recordAttempt(tie), store.recordAttempt(attempt({ passed: 10, at: t(5), name: 'Ada Lovelace' })), store.recordAttempt(attempt({ problem: 'binary_search', at: t(6) }))]);
      const [bs, ts] = await store.userProgress(user);
      assert.equal(bs.problem, 'binary_search');
      assert.deepEqual(ts, { user, problem: 'two_sum', name: 'Ada Lovelace', attempts: 5, bestPassed: 14, total: 14, firstSolvedAt: t(2), best: { run: tie.run, wallMs: 40, peakMemKb: 8000 }, lastAttemptAt: t(5) });
      assert.deepEqual(await store.userProgress('nobody'), []);
    });

    it('deletes run rows (their code and users) recorded before a date, and says how many', async () => {
      const store = await ready;
      const old = [record(nanoid(), { createdAt: new Date('2001-01-01T00:00:00Z') }), record(nanoid(), { createdAt: new Date('2001-06-01T00:00:00Z') })];
      const kept = record(nanoid(), { createdAt: new Date('2002-06-01T00:00:00Z') });
      for (const r of [...old, kept]) await store.recordRun(r);
      await store.assignRun(old[0].id, 'ada', null);
      assert.ok((await store.deleteRunsBefore(new Date('2002-01-01T00:00:00Z'))) >= 2);
      assert.equal(await store.getRun(old[0].id), null);
      assert.equal(await store.getRun(old[1].id), null);
      assert.deepEqual(await store.getRun(kept.id), kept);
      // A run recorded again with the old run's id would not inherit its user.
      await store.recordRun({ ...old[0], createdAt: new Date() });
      assert.equal((await store.getRun(old[0].id))?.user, undefined);
    });
  });
}
