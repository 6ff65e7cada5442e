/** SIGTERM on a real server process: running runs end as `cancelled`, their containers are removed, it exits 0. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { nanoid } from 'nanoid';
import { describe, it } from 'node:test';
import { BIN } from '../support/cli.ts';
import { containersOf, requireEnv } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

describe('clean shutdown', () => {
  it('cancels running runs, removes their containers, closes connections and exits 0', async () => {
    const runnerId = `shutdown-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, PORT: '0', TRACECAST_RUNNER_ID: runnerId, REDIS_URL: requireEnv('REDIS_URL'), DATABASE_URL: requireEnv('DATABASE_URL') },
    });
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /"url":"http:\/\/[^:]+:(\d+)"/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`server exited early: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    client.send({ type: 'execute', id: 'long', language: 'python', code: 'import time\ntime.sleep(60)\n' });
    const accepted = await client.waitFor((f) => f.type === 'accepted');
    await client.waitFor((f) => f.type === 'steps');
    assert.ok((await containersOf(runnerId)).length >= 1);

    child.kill('SIGTERM');
    const ended = await client.waitFor((f) => f.type === 'run.ended');
    assert.equal(ended.type === 'run.ended' && ended.verdict, 'cancelled');
    assert.equal(await exited, 0, stderr);
    assert.equal(client.closeCode, 4001);
    assert.deepEqual(await containersOf(runnerId), []);
    assert.match(stderr, /"msg":"tracecast stopped"/);
    assert.ok(accepted.type === 'accepted');
  });
});
