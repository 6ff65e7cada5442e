/** One contract test for the presence port, run against every adapter: in-memory and Redis. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import type { PresenceBoard } from '../../server/presence/presence.ts';
import { MemoryPresence } from '../../server/presence/presence-memory.ts';
import { RedisPresence } from '../../server/presence/presence-redis.ts';
import { requireEnv, skipWithout } from '../support/server.ts';

/** A board for one gateway; `peer` makes another gateway's board on the same backend (null: one gateway only). */
interface Adapter { board: () => PresenceBoard; peer: (() => PresenceBoard) | null; cleanup: () => Promise<void> }

const adapters: Array<[string, () => Adapter]> = [
  ['memory', () => ({ board: () => new MemoryPresence(), peer: null, cleanup: async () => {} })],
  [
    'redis',
    () => {
      const clients: Redis[] = [];
      const boards: PresenceBoard[] = [];
      const make = () => {
        const redis = new Redis(requireEnv('REDIS_URL'));
        clients.push(redis);
        const b = new RedisPresence(redis, `tctest-${nanoid(6)}`);
        boards.push(b);
        return b;
      };
      return {
        board: make,
        peer: make,
        cleanup: async () => {
          await Promise.all(boards.map((b) => b.close()));
          for (const c of clients) c.disconnect();
        },
      };
    },
  ],
];

const until = async (cond: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// Every adapter but the in-memory one needs Redis.
const redisSkip = skipWithout('REDIS_URL');

for (const [name, make] of adapters) {
  describe(`presence contract: ${name}`, { skip: name !== 'memory' && redisSkip }, () => {
    const adapter = make();
    after(adapter.cleanup);

    it('totals what a gateway reports, per session, the last report winning', async () => {
      const board = adapter.board();
      const [a, b] = [nanoid(), nanoid()];
      assert.equal(await board.total(a), 0, 'nothing reported');
      await board.report(a, 3);
      await board.report(b, 1);
      assert.equal(await board.total(a), 3);
      assert.equal(await board.total(b), 1);
      await board.report(a, 2);
      assert.equal(await board.total(a), 2);
    });

    it('forgets a session reported with no watchers', async () => {
      const board = adapter.board();
      const s = nanoid();
      await board.report(s, 4);
      await board.report(s, 0);
      assert.equal(await board.total(s), 0);
    });

    it('sums the gateways and tells the others of a change', { skip: adapter.peer === null && 'one gateway only' }, async () => {
      const one = adapter.board();
      const two = adapter.peer!();
      const s = nanoid();
      const heard: string[] = [];
      two.onChange((session) => heard.push(session));
      await new Promise((r) => setTimeout(r, 200)); // the subscription is made in the background
      await one.report(s, 2);
      await two.report(s, 5);
      assert.equal(await one.total(s), 7);
      assert.equal(await two.total(s), 7);
      await until(() => heard.includes(s));
      await one.report(s, 0);
      assert.equal(await two.total(s), 5);
    });

    it('drops a closed gateway\'s counts', { skip: adapter.peer === null && 'one gateway only' }, async () => {
      const one = adapter.board();
      const two = adapter.peer!();
      const s = nanoid();
      await one.report(s, 2);
      await two.report(s, 1);
      await one.close();
      assert.equal(await two.total(s), 1);
    });
  });
}
