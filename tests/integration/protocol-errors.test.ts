/** Bad input over a real WebSocket: each gets an `error` frame with a stable code and the connection stays usable. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode, type ServerFrame } from '../../protocol/index.ts';
import { type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;

describe('protocol errors', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient({ env: { TRACECAST_MAX_MESSAGE_BYTES: '4096' } }));
  });
  after(() => stopWithClient(server, client));

  async function expectError(send: () => void, code: string, id: string | null = null): Promise<ErrorFrame> {
    const from = client.received.length;
    send();
    const err = await client.waitFor<ErrorFrame>((f) => f.type === 'error', 5000, from);
    assert.equal(err.code, code, err.message);
    assert.equal(err.id, id);
    assert.ok(err.message.length > 0);
    // The connection is still usable: a valid request on it is answered.
    const probe = `probe-${from}`;
    client.send({ type: 'unsubscribe', id: probe, session: 'nothing' });
    const ok = await client.waitFor((f) => 'id' in f && f.id === probe, 5000, from);
    assert.equal(ok.type, 'unsubscribed');
    return err;
  }

  it('malformed MessagePack → bad_encoding', async () => {
    await expectError(() => client.sendRaw(Buffer.from([0xc1, 0xff, 0x00])), 'bad_encoding');
  });

  it('the byte 0xC1 (never used by MessagePack) anywhere in a message → bad_encoding, not a value', async () => {
    const typeIsC1 = Buffer.concat([Buffer.from([0x82, 0xa4]), Buffer.from('type'), Buffer.from([0xc1, 0xa2]), Buffer.from('id'), Buffer.from([0xa2]), Buffer.from('c1')]);
    const err = await expectError(() => client.sendRaw(typeIsC1), 'bad_encoding');
    assert.match(err.message, /0xc1/);
    const fieldIsC1 = Buffer.concat([Buffer.from([0x82, 0xa4]), Buffer.from('type'), Buffer.from([0xab]), Buffer.from('unsubscribe'), Buffer.from([0xa7]), Buffer.from('session'), Buffer.from([0xc1])]);
    await expectError(() => client.sendRaw(fieldIsC1), 'bad_encoding');
  });

  it('an extension type, or bytes after the map → bad_encoding', async () => {
    const timestamp = Buffer.concat([Buffer.from([0x82, 0xa4]), Buffer.from('type'), Buffer.from([0xab]), Buffer.from('unsubscribe'), Buffer.from([0xa7]), Buffer.from('session'), Buffer.from([0xd6, 0xff, 0, 0, 0, 1])]);
    await expectError(() => client.sendRaw(timestamp), 'bad_encoding');
    await expectError(() => client.sendRaw(Buffer.concat([Buffer.from(encode({ type: 'unsubscribe', session: 's' })), Buffer.from([0x01])])), 'bad_encoding');
  });

  it('truncated MessagePack → bad_encoding', async () => {
    await expectError(() => client.sendRaw(Buffer.from(encode({ type: 'execute', code: 'x'.repeat(50) })).subarray(0, 20)), 'bad_encoding');
  });

  it('malformed JSON text → bad_encoding', async () => {
    await expectError(() => client.sendRaw('{"type": "execute",', false), 'bad_encoding');
  });

  it('an unknown message type → unknown_type, with the request id', async () => {
    const err = await expectError(() => client.send({ type: 'launch', id: 'r1' }), 'unknown_type', 'r1');
    assert.match(err.message, /execute/);
  });

  it('a message that is not a map → invalid_message', async () => {
    await expectError(() => client.send([1, 2, 3]), 'invalid_message');
    await expectError(() => client.sendRaw('"execute"', false), 'invalid_message');
  });

  it('a missing or non-string `type` → unknown_type', async () => {
    await expectError(() => client.send({ id: 't1' }), 'unknown_type', 't1');
    await expectError(() => client.send({ type: 7, id: 't2' }), 'unknown_type', 't2');
  });

  it('an `id` that is not a string of at most 64 characters → invalid_message, answered with id nil', async () => {
    const err = await expectError(() => client.send({ type: 'unsubscribe', id: 5, session: 's' }), 'invalid_message');
    assert.match(err.message, /^id/);
    await expectError(() => client.send({ type: 'unsubscribe', id: 'x'.repeat(65), session: 's' }), 'invalid_message');
  });

  it('a missing field → invalid_message naming it', async () => {
    const err = await expectError(() => client.send({ type: 'execute', id: 'r2', language: 'python' }), 'invalid_message', 'r2');
    assert.match(err.message, /code/);
  });

  it('a field of the wrong type → invalid_message', async () => {
    await expectError(() => client.send({ type: 'subscribe', id: 'r3', session: 42 }), 'invalid_message', 'r3');
  });

  it('an unsupported language → invalid_message', async () => {
    await expectError(() => client.send({ type: 'execute', id: 'r4', language: 'cobol', code: '' }), 'invalid_message', 'r4');
  });

  it('a message over the size limit → too_large', async () => {
    await expectError(() => client.send({ type: 'execute', id: 'r5', language: 'python', code: 'x'.repeat(10_000) }), 'too_large');
  });

  it('JSON text messages are accepted for debugging', async () => {
    const from = client.received.length;
    client.sendRaw(JSON.stringify({ type: 'unsubscribe', id: 'j1', session: 'json-session' }), false);
    const reply = await client.waitFor((f) => 'id' in f && f.id === 'j1', 5000, from);
    assert.equal(reply.type, 'unsubscribed');
  });

  it('cancelling an unknown run → not_found', async () => {
    await expectError(() => client.send({ type: 'cancel', id: 'r6', run: 'nope' }), 'not_found', 'r6');
  });

  it('serves /health and /metrics', async () => {
    const health = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json();
    assert.equal(health.status, 'ok');
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(metrics, /tracecast_connections 1/);
    assert.match(metrics, /tracecast_messages_total\{type="invalid",outcome="bad_encoding"\}/);
  });
});
