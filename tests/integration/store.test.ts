/** One contract test for the run store, run against every adapter: in-memory and Postgres. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { RunRecord, Store } from '../../server/store/store.ts';
import { MemoryStore } from '../../server/store/store-memory.ts';
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
  ...over,
});

const adapters: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => new MemoryStore()],
  ['postgres', () => PostgresStore.open(requireEnv('DATABASE_URL'))],
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
