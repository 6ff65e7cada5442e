/**
 * The quick-start configuration, as `npm start` runs it (the bundled server): no DATABASE_URL (nor Redis), so runs
 * are recorded in PGlite in the data directory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPgliteStore } from '../../server/store/store-pglite.ts';
import { runCli } from '../support/cli.ts';
import { spawnServer } from '../support/server-process.ts';
import { TestClient } from '../support/ws-client.ts';

const PROBLEMS = fileURLToPath(new URL('../../problems/', import.meta.url));

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

  it('tracecast problems import / export round-trips the catalog through the store unchanged', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tracecast-problems-'));
    const out = await mkdtemp(path.join(tmpdir(), 'tracecast-export-'));
    try {
      const env = { TRACECAST_STORE: 'pglite', TRACECAST_DATA_DIR: dataDir };
      const first = await runCli(['problems', 'import', PROBLEMS], env, 120_000);
      assert.equal(first.code, 0, first.stderr);
      const files = (await readdir(PROBLEMS)).filter((f) => f.endsWith('.json')).sort();
      assert.match(first.stdout, new RegExp(`^created ${files.length}, updated 0, unchanged 0`));
      const again = await runCli(['problems', 'import', PROBLEMS], env, 120_000);
      assert.match(again.stdout, new RegExp(`^created 0, updated 0, unchanged ${files.length}`));
      const exported = await runCli(['problems', 'export', out], env, 120_000);
      assert.equal(exported.code, 0, exported.stderr);
      assert.deepEqual((await readdir(out)).sort(), files);
      for (const f of files) assert.equal(await readFile(path.join(out, f), 'utf8'), await readFile(path.join(PROBLEMS, f), 'utf8'), f);
      const bad = await runCli(['problems', 'import', path.join(PROBLEMS, 'solutions')], env, 120_000);
      assert.equal(bad.code, 0, 'a folder with no problem files imports nothing');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  });
});
