/** Identity configuration and the jose verifier: defaults keep a local start anonymous and unlimited; HS256 secrets and JWKS keys, with algorithms pinned. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthFailure } from '../../server/auth/identity.ts';
import { JoseVerifier } from '../../server/auth/verifier-jose.ts';
import { loadConfig } from '../../server/config.ts';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

describe('identity configuration', () => {
  it('a local start is anonymous and unlimited; a key turns on optional identity and the limits', () => {
    const local = loadConfig({});
    assert.equal(local.auth.mode, 'off');
    assert.equal(local.rateLimits.enabled, false);
    assert.equal(local.rateLimits.joinAttemptsPerConnection, 10);
    const keyed = loadConfig({ TRACECAST_JWT_SECRET: SECRET });
    assert.equal(keyed.auth.mode, 'optional');
    assert.deepEqual(keyed.auth.jwt.algorithms, ['HS256']);
    assert.equal(keyed.rateLimits.enabled, true);
    assert.deepEqual([keyed.rateLimits.runsPerMinute, keyed.rateLimits.runsPerHour, keyed.rateLimits.runsPerDay, keyed.rateLimits.anonRunsPerMinute, keyed.rateLimits.messagesPerMinute], [10, 100, 500, 6, 30]);
    assert.deepEqual(loadConfig({ TRACECAST_JWT_JWKS_URL: 'https://id.example/jwks.json' }).auth.jwt.algorithms, ['RS256', 'ES256']);
    assert.equal(loadConfig({ TRACECAST_JWT_SECRET: SECRET, TRACECAST_LIMITS: 'off' }).rateLimits.enabled, false);
    assert.deepEqual(loadConfig({ TRACECAST_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, ['10.0.0.0/8', '::1']);
  });

  it('refuses identity without exactly one key, and short secrets', () => {
    assert.throws(() => loadConfig({ TRACECAST_AUTH: 'required' }), /exactly one of/);
    assert.throws(() => loadConfig({ TRACECAST_AUTH: 'optional', TRACECAST_JWT_SECRET: SECRET, TRACECAST_JWT_JWKS_URL: 'https://id.example/jwks.json' }), /exactly one of/);
    assert.throws(() => loadConfig({ TRACECAST_JWT_SECRET: 'short' }), /32/);
  });
});

describe('the jose verifier with a JWKS URL', () => {
  let server: Server;
  let url: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  before(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  });
  after(() => server.close());

  const verifier = () => new JoseVerifier({ jwksUrl: url, issuer: 'https://id.example', audience: 'tracecast', algorithms: ['RS256'], clockToleranceS: 5 });
  const signed = (claims: Record<string, unknown>, over: { aud?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('ada').setIssuer('https://id.example').setAudience(over.aud ?? 'tracecast').setExpirationTime('5m').sign(keys.privateKey);

  it('verifies a token signed by a key of the set, with its role and name', async () => {
    assert.deepEqual({ ...(await verifier().verify(await signed({ role: 'instructor', name: 'Ada' }))), expiresAt: 0 }, { user: 'ada', role: 'instructor', name: 'Ada', expiresAt: 0 });
    assert.equal((await verifier().verify(await signed({}))).role, 'student', 'no role claim: a student');
  });

  it('refuses another audience, an unknown role, and an HS256 token keyed with the public key (algorithm confusion)', async () => {
    await assert.rejects(verifier().verify(await signed({}, { aud: 'other' })), (err: unknown) => err instanceof AuthFailure && /aud/.test((err as Error).message));
    await assert.rejects(verifier().verify(await signed({ role: 'root' })), (err: unknown) => err instanceof AuthFailure && /role/.test((err as Error).message));
    const pem = new TextEncoder().encode(JSON.stringify(await exportJWK(keys.publicKey)));
    const confused = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuer('https://id.example').setAudience('tracecast').sign(pem);
    await assert.rejects(verifier().verify(confused), (err: unknown) => err instanceof AuthFailure && /algorithm/.test((err as Error).message));
  });
});
