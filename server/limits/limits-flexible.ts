/** Limits on rate-limiter-flexible: in Redis when the server has one (shared by every gateway), else in this process's memory. */
import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Decision, Limit, LimitFactory } from './limits.ts';

class FlexibleLimit implements Limit {
  constructor(
    readonly points: number,
    private readonly limiter: RateLimiterAbstract,
  ) {}

  async consume(key: string): Promise<Decision> {
    try {
      await this.limiter.consume(key);
      return { ok: true };
    } catch (err) {
      // The library rejects with its result when the key is out of points, with an Error when the store failed.
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, Math.ceil(err.msBeforeNext)) };
      throw err;
    }
  }

  async peek(key: string): Promise<Decision> {
    const res = await this.limiter.get(key);
    return res && res.consumedPoints >= this.points ? { ok: false, retryAfterMs: Math.max(1, Math.ceil(res.msBeforeNext)) } : { ok: true };
  }
}

/** `prefix` keeps deployments sharing a Redis apart (TRACECAST_QUEUE_PREFIX). */
export function flexibleLimits(redis: Redis | Cluster | null, prefix: string): LimitFactory {
  return (name, points, duration) => {
    const keyPrefix = `${prefix}:limit:${name}`;
    const limiter = redis ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration }) : new RateLimiterMemory({ keyPrefix, points, duration });
    return new FlexibleLimit(points, limiter);
  };
}
