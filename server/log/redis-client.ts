/** The Redis client the session log, presence and the run queue share: one server (REDIS_URL) or a Redis Cluster (TRACECAST_REDIS_CLUSTER seed nodes). */
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Logger } from '../obs/logger.ts';

export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url?: string;
  /** Seed nodes `host:port`, comma-separated: the cluster client finds the others. */
  cluster?: string;
}

// Commands wait for a reconnection instead of failing after a few retries: a Redis restart is waited out, and
// what waits (appends, tails, the queue) resumes once it is back. Reconnection is retried every 50–1000 ms.
const COMMON: RedisOptions = {
  maxRetriesPerRequest: null,
  lazyConnect: true,
  retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
};

export function parseSeeds(seeds: string): ClusterNode[] {
  return seeds
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':');
      return { host: s.slice(0, i) || '127.0.0.1', port: Number(s.slice(i + 1)) };
    });
}

/**
 * A connected client for `target`. Its errors are logged (rate-limited to one line per kind per 10 s), never left
 * unhandled: ioredis retries by itself, and an unhandled 'error' event would only fill the log with noise.
 */
export async function openRedis(target: RedisTarget, logger: Logger, name = 'redis'): Promise<RedisClient> {
  const client: RedisClient = target.cluster
    ? new Cluster(parseSeeds(target.cluster), { redisOptions: COMMON, lazyConnect: true, clusterRetryStrategy: COMMON.retryStrategy })
    : new Redis(target.url!, COMMON);
  watchErrors(client, logger, name);
  await client.connect();
  return client;
}

/** A second connection to the same server or cluster (blocking reads and subscriptions need their own), errors watched. */
export function duplicateOf(client: RedisClient, logger: Logger, name: string): RedisClient {
  const dup = client.duplicate();
  watchErrors(dup, logger, name);
  return dup;
}

export function watchErrors(client: RedisClient, logger: Logger, name: string): void {
  const last = new Map<string, number>();
  client.on('error', (err: Error) => {
    const kind = (err as { code?: string }).code ?? err.message.slice(0, 60);
    const now = Date.now();
    if ((last.get(kind) ?? 0) > now - 10_000) return;
    last.set(kind, now);
    logger.warn('redis connection error (retrying)', { client: name, err: err.message });
  });
}
