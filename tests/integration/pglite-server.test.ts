/** The quick-start configuration: no DATABASE_URL (nor Redis), so runs are recorded in PGlite in the data directory. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openPgliteStore } from '../../server/store/store-pglite.ts';
import { spawnServer } from '../support/server-process.ts';
import { TestClient } from '../support/ws-client.ts';

describe('server without DATABASE_URL', () => {
  const dataDirP = mkdtemp(path.join(tmpdir(), 'tracecast-pglite-'));
  after(async () => rm(await dataDirP, { recursive: true, force: true }));

  it('records runs in PGlite that outlive the process', async () => {
    const dataDir = await dataDirP;
    const server = await spawnServer({ DATABASE_URL: undefined, REDIS_URL: undefined, TRACECAST_STORE: undefined, TRACECAST_DATA_DIR: dataDir, TRACECAST_POOL_SIZE: '0' });
    const health = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json();
    assert.equal(health.store, 'pglite');

    const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws`);
    const code = 'x = 6 * 7\nprint(x)\n';
    const { accepted, ended } = await client.execute('python', code);
    assert.equal(ended.verdict, 'ok');
    client.close();
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr());

    // The server has let go of the data directory; a new opener sees what it recorded.
    const store = await openPgliteStore(dataDir);
    try {
      const runs = await store.sessionRuns(accepted.session);
      assert.deepEqual(
        runs.map((r) => [r.id, r.language, r.code, r.verdict]),
        [[ended.run, 'python', code, 'ok']],
      );
    } finally {
      await store.close();
    }
  });
});
