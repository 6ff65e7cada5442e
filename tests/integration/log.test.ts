/** One contract test for the session log, run against every adapter: in-memory and Redis Streams. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { START, compareIds, type LogEntry, type SessionLog } from '../../server/log/log.ts';
import { MemoryLog } from '../../server/log/log-memory.ts';
import { RedisLog } from '../../server/log/log-redis.ts';
import { redisCluster } from '../support/redis-cluster.ts';
import { requireEnv, skipWithout } from '../support/server.ts';

// Every adapter but the in-memory one needs Redis.
const redisSkip = skipWithout('REDIS_URL');
// A three-master cluster of this test's own (tests/support/redis-cluster.ts): the same contract on Redis Cluster.
const cluster = redisSkip ? null : await redisCluster();

const frame = (n: number) => new Uint8Array([0x81, 0xa1, 0x6e, n & 0x7f]);
const values = (entries: LogEntry[]) => entries.map((e) => e.frame[3]);

function collect(log: SessionLog, session: string, afterId: string) {
  const got: LogEntry[] = [];
  let wake: (() => void) | null = null;
  const stop = log.tail(
    session,
    afterId,
    (entries) => {
      got.push(...entries);
      wake?.();
    },
    () => {},
  );
  const until = async (n: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (got.length < n) {
      if (Date.now() > deadline) throw new Error(`tail got ${got.length} of ${n} entries`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return got;
  };
  return { got, stop, until };
}

const adapters: Array<[string, () => { log: SessionLog; cleanup: () => Promise<void> }]> = [
  ['memory', () => ({ log: new MemoryLog({ maxLength: 1000 }), cleanup: async () => {} })],
  [
    'redis',
    () => {
      const redis = new Redis(requireEnv('REDIS_URL'));
      const log = new RedisLog(redis, { maxLength: 1000, prefix: `tctest-${nanoid(6)}`, blockMs: 1000 });
      return { log, cleanup: async () => { await log.close(); redis.disconnect(); } };
    },
  ],
  [
    'redis cluster',
    () => {
      const redis = cluster!.connect();
      const log = new RedisLog(redis, { maxLength: 1000, prefix: `tctest-${nanoid(6)}`, blockMs: 1000 });
      return { log, cleanup: async () => { await log.close(); redis.disconnect(); } };
    },
  ],
];

for (const [name, make] of adapters) {
  describe(`session log contract: ${name}`, { skip: name !== 'memory' && redisSkip }, () => {
    const { log, cleanup } = make();
    after(cleanup);

    it('appends with increasing ids and ranges them back in order', async () => {
      const s = nanoid();
      const ids = [...(await log.append(s, [frame(1), frame(2)])), ...(await log.append(s, [frame(3)]))];
      assert.equal(ids.length, 3);
      for (let i = 1; i < ids.length; i++) assert.ok(compareIds(ids[i - 1], ids[i]) < 0, `${ids[i - 1]} < ${ids[i]}`);
      assert.deepEqual(values(await log.range(s, START)), [1, 2, 3]);
      assert.deepEqual(values(await log.range(s, ids[0])), [2, 3]);
      assert.deepEqual(values(await log.range(s, START, ids[1])), [1, 2]);
      assert.deepEqual(values(await log.range(s, START, undefined, 1)), [1]);
      assert.equal(await log.last(s), ids[2]);
      assert.equal(await log.last(nanoid()), null);
    });

    it('returns the frame bytes unchanged', async () => {
      const s = nanoid();
      const bytes = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
      await log.append(s, [bytes]);
      const [e] = await log.range(s, START);
      assert.deepEqual(new Uint8Array(e.frame), bytes);
    });

    it('tails history then live entries exactly once, in order', async () => {
      const s = nanoid();
      await log.append(s, [frame(1), frame(2)]);
      const t = collect(log, s, START);
      await t.until(2);
      await log.append(s, [frame(3)]);
      await log.append(s, [frame(4), frame(5)]);
      const got = await t.until(5);
      await new Promise((r) => setTimeout(r, 100));
      t.stop();
      assert.deepEqual(values(got), [1, 2, 3, 4, 5]);
    });

    it('tails only what comes after the given position', async () => {
      const s = nanoid();
      const [first] = await log.append(s, [frame(1), frame(2)]);
      const t = collect(log, s, first);
      await log.append(s, [frame(3)]);
      const got = await t.until(2);
      t.stop();
      assert.deepEqual(values(got), [2, 3]);
    });

    it('serves several tails of several sessions at once, and a tail added while others block', async () => {
      const a = nanoid();
      const b = nanoid();
      const ta = collect(log, a, START);
      await new Promise((r) => setTimeout(r, 50));
      const tb = collect(log, b, START);
      const tb2 = collect(log, b, START);
      await log.append(b, [frame(7)]);
      await log.append(a, [frame(8)]);
      assert.deepEqual(values(await tb.until(1, 1500)), [7], 'a tail added during a blocking read is served without waiting for the block to time out');
      assert.deepEqual(values(await tb2.until(1, 1500)), [7]);
      assert.deepEqual(values(await ta.until(1, 1500)), [8]);
      ta.stop();
      tb.stop();
      tb2.stop();
    });

    it('stops delivering after stop()', async () => {
      const s = nanoid();
      const t = collect(log, s, START);
      await log.append(s, [frame(1)]);
      await t.until(1);
      t.stop();
      await log.append(s, [frame(2)]);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(values(t.got), [1]);
    });

    it('keeps many concurrent appends to one session atomic per call', async () => {
      const s = nanoid();
      await Promise.all(Array.from({ length: 20 }, (_, k) => log.append(s, [frame(k), frame(k), frame(k)])));
      const got = values(await log.range(s, START));
      assert.equal(got.length, 60);
      for (let i = 0; i < 60; i += 3) assert.ok(got[i] === got[i + 1] && got[i] === got[i + 2], 'the three frames of one call stay together');
    });
  });
}
