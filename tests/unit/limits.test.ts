/** The limit policy over rate-limiter-flexible's memory store, on fake time: each limit trips at its number and resets; the client address through trusted proxies only. */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { clientAddress } from '../../server/limits/client-address.ts';
import { flexibleLimits } from '../../server/limits/limits-flexible.ts';
import { createLimitPolicy, type LimitNumbers } from '../../server/limits/policy.ts';

const numbers: LimitNumbers = {
  enabled: true,
  runsPerMinute: 3,
  runsPerHour: 5,
  runsPerDay: 7,
  anonRunsPerMinute: 2,
  messagesPerMinute: 4,
  connectionsPerMinute: 2,
  sessionOpensPerHour: 1,
  joinAttemptsPerConnection: 2,
  joinAttemptsPerAddress: 3,
};
const student = (user: string | null, connection = 'c1', address = '10.0.0.1') => ({ user, address, connection });

describe('limits', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse('2026-12-07T00:00:00Z') }));
  afterEach(() => mock.timers.reset());

  it('runs per user trip at the minute, hour and day numbers and reset with each window', async () => {
    const policy = createLimitPolicy(flexibleLimits(null, 't1'), numbers);
    for (let i = 0; i < 3; i++) assert.equal((await policy.run(student('ada'))).ok, true);
    const minute = await policy.run(student('ada'));
    assert.equal(minute.ok, false);
    assert.ok(!minute.ok && minute.limit === 'runs_per_user' && minute.retryAfterMs > 0 && minute.retryAfterMs <= 60_000);
    assert.equal((await policy.run(student('bob'))).ok, true, 'another user has its own count');
    mock.timers.tick(60_001);
    // Minute window over: 2 more reach the hour's 5 (a run refused by the minute is not counted in the hour).
    for (let i = 0; i < 2; i++) assert.equal((await policy.run(student('ada'))).ok, true);
    const hour = await policy.run(student('ada'));
    assert.ok(!hour.ok && /hour/.test(hour.what), JSON.stringify(hour));
    mock.timers.tick(3600_001);
    for (let i = 0; i < 2; i++) assert.equal((await policy.run(student('ada'))).ok, true);
    const day = await policy.run(student('ada'));
    assert.ok(!day.ok && /day/.test(day.what), JSON.stringify(day));
    mock.timers.tick(86_400_001);
    assert.equal((await policy.run(student('ada'))).ok, true);
  });

  it('anonymous runs count per address; messages per user (else address); connections and session.open per their keys', async () => {
    const policy = createLimitPolicy(flexibleLimits(null, 't2'), numbers);
    assert.equal((await policy.run(student(null, 'a'))).ok, true);
    assert.equal((await policy.run(student(null, 'b'))).ok, true);
    const anon = await policy.run(student(null, 'c'));
    assert.ok(!anon.ok && anon.limit === 'runs_per_address');
    for (let i = 0; i < 4; i++) assert.equal((await policy.message(student('ada'))).ok, true);
    assert.equal((await policy.message(student('ada'))).ok, false);
    assert.equal((await policy.message(student('bob'))).ok, true, 'a user behind the same address is not refused');
    assert.equal((await policy.connection('10.0.0.9')).ok, true);
    assert.equal((await policy.connection('10.0.0.9')).ok, true);
    const conn = await policy.connection('10.0.0.9');
    assert.ok(!conn.ok && conn.limit === 'connections_per_address');
    assert.equal((await policy.sessionOpen(student('teacher'))).ok, true);
    assert.equal((await policy.sessionOpen(student('teacher'))).ok, false);
    mock.timers.tick(3600_001);
    assert.equal((await policy.sessionOpen(student('teacher'))).ok, true);
  });

  it('wrong join codes lock out the connection that made them, and the address only far later', async () => {
    const policy = createLimitPolicy(flexibleLimits(null, 't3'), numbers);
    await policy.joinFailed(student(null, 'typo'));
    await policy.joinFailed(student(null, 'typo'));
    assert.equal((await policy.joinAllowed(student(null, 'typo'))).ok, false);
    assert.equal((await policy.joinAllowed(student(null, 'classmate'))).ok, true, 'the classmate behind the same address may join');
    await policy.joinFailed(student(null, 'other'));
    const addr = await policy.joinAllowed(student(null, 'third'));
    assert.ok(!addr.ok && addr.limit === 'join_attempts' && /address/.test(addr.what));
    mock.timers.tick(60_001);
    assert.equal((await policy.joinAllowed(student(null, 'typo'))).ok, true);
  });

  it('off: only wrong join codes are limited', async () => {
    const policy = createLimitPolicy(flexibleLimits(null, 't4'), { ...numbers, enabled: false });
    for (let i = 0; i < 20; i++) {
      assert.equal((await policy.run(student(null))).ok, true);
      assert.equal((await policy.message(student(null))).ok, true);
      assert.equal((await policy.connection('10.0.0.1')).ok, true);
    }
  });
});

describe('limits in Redis', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set' }, () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  after(() => redis.quit());

  it('count in Redis, shared by every process that uses it, and reset with their window', async () => {
    const prefix = `test-${nanoid(8)}`;
    // Two factories on one Redis stand for two gateways.
    const [a, b] = [flexibleLimits(redis, prefix)('runs', 2, 1), flexibleLimits(redis, prefix)('runs', 2, 1)];
    assert.equal((await a.consume('ada')).ok, true);
    assert.equal((await b.consume('ada')).ok, true);
    const refused = await a.consume('ada');
    assert.ok(!refused.ok && refused.retryAfterMs > 0 && refused.retryAfterMs <= 1000, JSON.stringify(refused));
    assert.equal((await b.peek('ada')).ok, false);
    assert.equal((await b.peek('bob')).ok, true);
    await new Promise((r) => setTimeout(r, refused.ok ? 0 : refused.retryAfterMs + 100));
    assert.equal((await b.consume('ada')).ok, true);
  });
});

describe('client address', () => {
  it('X-Forwarded-For counts only from a trusted proxy, read right to left past trusted hops', () => {
    const none = clientAddress([]);
    assert.equal(none('10.1.1.1', '203.0.113.5'), '10.1.1.1', 'no proxy trusted: the header is ignored');
    const trust = clientAddress(['10.0.0.0/8', '::1']);
    assert.equal(trust('10.1.1.1', '203.0.113.5'), '203.0.113.5');
    assert.equal(trust('::ffff:10.1.1.1', '198.51.100.7, 203.0.113.5, 10.2.2.2'), '203.0.113.5', 'a spoofed leftmost entry is not believed');
    assert.equal(trust('192.0.2.1', '203.0.113.5'), '192.0.2.1', 'an untrusted socket\'s header is ignored');
    assert.equal(trust('10.1.1.1', ''), '10.1.1.1');
    assert.equal(trust('::1', 'not-an-ip'), '::1');
  });
});
