/**
 * The operations metrics on a real server: queue wait and first-step latency of a run, messages by type and outcome
 * (error code), refusals by limit (message size, runs per owner, join attempts), dependencies up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const count = (server: TestServer, series: string) => metric(server, new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+(?:\\.\\d+)?)$`, 'm'));

describe('operations metrics', { timeout: 5 * 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { TRACECAST_MAX_MESSAGE_BYTES: '4096', TRACECAST_MAX_RUNS_PER_OWNER: '1', TRACECAST_JOIN_ATTEMPTS: '1' },
    });
  });
  after(() => server?.close());

  it('times a run from submission: queue wait and first step, by language', async () => {
    const client = await TestClient.connect(server.url);
    client.send({ type: 'execute', id: 'a', language: 'python', code: 'x = 1\nprint(x)\n' });
    const ended = await client.waitFor((f) => f.type === 'run.ended', 120_000);
    assert.equal(ended.type === 'run.ended' && ended.verdict, 'ok');
    assert.equal(await count(server, 'tracecast_queue_wait_seconds_count{language="python"}'), 1);
    assert.equal(await count(server, 'tracecast_first_step_seconds_count{language="python"}'), 1);
    assert.ok((await count(server, 'tracecast_first_step_seconds_sum{language="python"}')) > 0);
    assert.equal(await count(server, 'tracecast_messages_handled_total{type="execute",outcome="ok"}'), 1);
    assert.equal(await count(server, 'tracecast_message_handling_seconds_count{type="execute"}'), 1);
    client.close();
  });

  it('counts refusals by the limit that refused, and handled messages by error code', async () => {
    const client = await TestClient.connect(server.url);
    // Over TRACECAST_MAX_MESSAGE_BYTES (but under the close limit): too_large.
    client.send({ type: 'execute', id: 'big', language: 'python', code: `# ${'x'.repeat(8000)}\n` });
    await client.waitFor((f) => f.type === 'error' && f.code === 'too_large');
    // One run per owner: the second, while the first sleeps, is busy.
    client.send({ type: 'execute', id: 'first', language: 'python', code: 'import time\ntime.sleep(30)\n' });
    await client.waitFor((f) => f.type === 'accepted');
    const busy = await client.request({ type: 'execute', language: 'python', code: 'print(2)\n' });
    assert.equal(busy.type === 'error' && busy.code, 'busy');
    // One wrong join code a minute: the second attempt is rate_limited.
    await client.request({ type: 'subscribe', code: 'ZZZZZZ' });
    const limited = await client.request({ type: 'subscribe', code: 'ZZZZZZ' });
    assert.equal(limited.type === 'error' && limited.code, 'rate_limited');

    assert.equal(await count(server, 'tracecast_refusals_total{limit="message_bytes"}'), 1);
    assert.equal(await count(server, 'tracecast_refusals_total{limit="runs_per_owner"}'), 1);
    assert.equal(await count(server, 'tracecast_refusals_total{limit="join_attempts"}'), 1);
    assert.equal(await count(server, 'tracecast_messages_handled_total{type="execute",outcome="busy"}'), 1);
    assert.equal(await count(server, 'tracecast_messages_handled_total{type="subscribe",outcome="rate_limited"}'), 1);
    assert.equal(await count(server, 'tracecast_messages_handled_total{type="subscribe",outcome="not_found"}'), 1);
    assert.equal(await count(server, 'tracecast_dependency_up{dependency="docker"}'), 1);
    client.close();
  });
});
