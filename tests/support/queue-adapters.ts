/** The run-queue adapters the queue contract test runs besides the in-process one, each behind a factory. */
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { createLogger } from '../../server/obs/logger.ts';
import { BullQueue } from '../../server/queue/queue-bullmq.ts';
import type { QueueLimits, RunQueue } from '../../server/queue/queue.ts';
import { redisCluster } from './redis-cluster.ts';
import { requireEnv } from './server.ts';

export type QueueFactory = (limits: QueueLimits) => Promise<{
  /** The queue a gateway submits to; `consumer` the one a runner takes from (the same object in-process). */
  producer: RunQueue;
  consumer: RunQueue;
  /** Whether producer and consumer are separate (cancel and onEnded must cross between them). */
  shared: boolean;
  /** Another process's queue on the same shared queue (a second gateway or runner), with per-owner affinity. */
  another?: (id: string) => RunQueue;
  cleanup: () => Promise<void>;
}>;

/** BullMQ on `connect()`'s Redis: a producer and a consumer as two processes would have them, each with its own connection. */
export function bullFactory(connect: () => Redis | import('ioredis').Cluster): QueueFactory {
  return async (limits) => {
    const prefix = `tctest-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const logger = createLogger({ test: 'queue' }, () => undefined);
    const clients = [connect(), connect()];
    const make = (redis: (typeof clients)[number], processId: string) =>
      new BullQueue({ ...limits, redis, languages: ['python', 'javascript'], processId, lostAfterMs: 6000, logger, prefix, ownerAffinityMs: 60_000 });
    const producer = make(clients[0], `gateway-${prefix}`);
    const consumer = make(clients[1], `runner-${prefix}`);
    const others: BullQueue[] = [];
    return {
      producer,
      consumer,
      shared: true,
      another: (id) => {
        const client = connect();
        clients.push(client);
        const q = make(client, `${id}-${prefix}`);
        others.push(q);
        return q;
      },
      cleanup: async () => {
        for (const q of [...others, consumer, producer]) await q.closeNow();
        // What BullMQ and the queue left under this test's prefix.
        // A cluster's KEYS answers for one node: ask every master.
        const nodes = 'nodes' in clients[0] ? (clients[0] as import('ioredis').Cluster).nodes('master') : [clients[0] as Redis];
        for (const node of nodes) {
          const keys = await node.keys(`${prefix}:*`);
          for (const key of keys) await clients[0].del(key);
        }
        for (const c of clients) c.disconnect();
      },
    };
  };
}

export async function queueAdapters(): Promise<Array<[string, QueueFactory]>> {
  const cluster = await redisCluster();
  return [
    ['bullmq', bullFactory(() => new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null }))],
    ['bullmq on a redis cluster', bullFactory(() => cluster.connect())],
  ];
}
