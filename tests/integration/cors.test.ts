/** CORS on `/api/*` (TRACECAST_CORS_ORIGINS): preflights and answers on a real server, and the policy's `*` form. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cors } from '../../server/api/cors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ALLOWED = 'https://class.example.org';
const OTHER = 'https://elsewhere.example.com';

function preflight(server: TestServer, path: string, origin: string, method = 'GET', headers?: string) {
  return fetch(`http://127.0.0.1:${server.port}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  });
}

describe('CORS on /api/*', () => {
  let configured: TestServer;
  let plain: TestServer;
  before(async () => {
    [configured, plain] = await Promise.all([startTestServer({ env: { TRACECAST_CORS_ORIGINS: `${ALLOWED}, http://127.0.0.1:9999` } }), startTestServer()]);
  });
  after(async () => {
    await Promise.all([configured?.close(), plain?.close()]);
  });

  it('answers a preflight from a configured origin with 204 and the allowing headers', async () => {
    const res = await preflight(configured, '/api/problems', ALLOWED, 'GET', 'Authorization');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /\bGET\b/);
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization');
    assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
    assert.match(res.headers.get('vary') ?? '', /origin/i);
  });

  it('refuses a preflight from another origin, for a write method or an unlisted header, without allowing headers', async () => {
    for (const res of [
      await preflight(configured, '/api/problems', OTHER),
      await preflight(configured, '/api/problems', ALLOWED, 'POST'),
      await preflight(configured, '/api/problems', ALLOWED, 'GET', 'x-custom'),
    ]) {
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal((await res.json()).error, 'cors_refused');
    }
  });

  it('lets a configured origin read GET answers, and not another one', async () => {
    const url = `http://127.0.0.1:${configured.port}/api/problems`;
    const mine = await fetch(url, { headers: { origin: ALLOWED } });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('access-control-allow-origin'), ALLOWED);
    assert.ok(Array.isArray(await mine.json()));
    const theirs = await fetch(url, { headers: { origin: OTHER } });
    assert.equal(theirs.status, 200, 'the server answers; the browser withholds it');
    assert.equal(theirs.headers.get('access-control-allow-origin'), null);
    const missing = await fetch(`http://127.0.0.1:${configured.port}/api/runs/nope`, { headers: { origin: ALLOWED } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), ALLOWED, 'errors are readable too, so a client can show them');
  });

  it('by default allows no other origin (same-origin only)', async () => {
    const res = await preflight(plain, '/api/problems', ALLOWED);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await fetch(`http://127.0.0.1:${plain.port}/api/problems`, { headers: { origin: ALLOWED } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  it('`*` allows every origin with a literal * (no credentials, no Vary needed)', () => {
    const cors = new Cors('*');
    const pre = cors.preflight(OTHER, 'GET', '');
    assert.equal(pre.status, 204);
    assert.deepEqual(pre.headers.find(([k]) => k === 'access-control-allow-origin'), ['access-control-allow-origin', '*']);
    assert.deepEqual(cors.responseHeaders(OTHER), [['access-control-allow-origin', '*']]);
    assert.equal(new Cors([]).allows(ALLOWED), false);
    assert.equal(new Cors([`${ALLOWED}/`]).allows('HTTPS://CLASS.example.org'), true, 'origins compare as browsers serialise them');
  });
});
