/**
 * SIGTERM on a real server process (the bundle `npm start` runs): running runs
 * end as `cancelled`, their containers are removed, it exits 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnServer } from '../support/server-process.ts';
import { containersOf, requireEnv } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

describe('clean shutdown', () => {
  it('cancels running runs, removes their containers, closes connections and exits 0', async () => {
    const server = await spawnServer({ REDIS_URL: requireEnv('REDIS_URL'), DATABASE_URL: requireEnv('DATABASE_URL') });
    const { child, port, runnerId, exited } = server;
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    client.send({ type: 'execute', id: 'long', language: 'python', code: 'import time\ntime.sleep(60)\n' });
    const accepted = await client.waitFor((f) => f.type === 'accepted');
    await client.waitFor((f) => f.type === 'steps');
    assert.ok((await containersOf(runnerId)).length >= 1);

    child.kill('SIGTERM');
    const ended = await client.waitFor((f) => f.type === 'run.ended');
    assert.equal(ended.type === 'run.ended' && ended.verdict, 'cancelled');
    assert.equal(await exited, 0, server.stderr());
    assert.equal(client.closeCode, 4001);
    assert.deepEqual(await containersOf(runnerId), []);
    assert.match(server.stderr(), /"msg":"tracecast stopped"/);
    assert.ok(accepted.type === 'accepted');
  });
});
