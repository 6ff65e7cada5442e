/** The run-queue adapters the queue contract test runs besides the in-process one, each behind a factory. */
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { createLogger } from '../../server/obs/logger.ts';
import { BullQueue } from '../../server/queue/queue-bullmq.ts';
import type { QueueLimits, RunQueue } from '../../server/queue/queue.ts';
import { requireEnv } from './server.ts';

export type QueueFactory = (limits: QueueLimits) => Promise<{
  /** The queue a gateway submits to; `consumer` the one a runner takes from (the same object in-process). */
  producer: RunQueue;
  consumer: RunQueue;
  /** Whether producer and consumer are separate (cancel and onEnded must cross between them). */
  shared: boolean;
  cleanup: () => Promise<void>;
}>;

/** BullMQ on `connect()`'s Redis: a producer and a consumer as two processes would have them, each with its own connection. */
export function bullFactory(connect: () => Redis | import('ioredis').Cluster): QueueFactory {
  return async (limits) => {
    const prefix = `tctest-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const logger = createLogger({ test: 'queue' }, () => undefined);
    const clients = [connect(), connect()];
    const make = (redis: (typeof clients)[number], processId: string) =>
      new BullQueue({ ...limits, redis, languages: ['python', 'javascript'], processId, lostAfterMs: 6000, logger, prefix });
    const producer = make(clients[0], `gateway-${prefix}`);
    const consumer = make(clients[1], `runner-${prefix}`);
    return {
      producer,
      consumer,
      shared: true,
      cleanup: async () => {
        for (const q of [consumer, producer]) await q.closeNow();
        // What BullMQ and the queue left under this test's prefix.
        const keys = await clients[0].keys(`${prefix}:*`);
        if (keys.length > 0) await clients[0].del(...keys);
        for (const c of clients) c.disconnect();
      },
    };
  };
}

export function queueAdapters(): Array<[string, QueueFactory]> {
  return [['bullmq', bullFactory(() => new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null }))]];
}
