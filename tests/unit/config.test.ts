/** server/config.ts: defaults from an empty environment, values parsed, and a refused configuration says why. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../server/config.ts';

describe('configuration from the environment', () => {
  it('has the documented defaults with nothing set', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.store, 'pglite');
    assert.equal(c.runnerId, 'local');
    assert.equal(c.maxMessageBytes, 262144);
    assert.equal(c.limits.timeoutMs, 10000);
    assert.equal(c.reuse.enabled, true);
  });

  it('parses numbers and picks the store from DATABASE_URL', () => {
    const c = loadConfig({ PORT: '0', TRACECAST_TIMEOUT_MS: '2500', DATABASE_URL: 'postgres://u@h:5432/db', TRACECAST_REUSE: 'off' });
    assert.equal(c.port, 0);
    assert.equal(c.limits.timeoutMs, 2500);
    assert.equal(c.store, 'postgres');
    assert.equal(c.reuse.enabled, false);
  });

  it('refuses what it cannot use', () => {
    assert.throws(() => loadConfig({ PORT: '70000' }));
    assert.throws(() => loadConfig({ TRACECAST_STORE: 'postgres' }), /needs DATABASE_URL/);
  });
});
