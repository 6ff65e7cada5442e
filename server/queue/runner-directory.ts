/** Which runners are alive and what they can run: each renews a lease (one sorted set: member the runner, score when its lease ends) and its description (one hash). */
import type { Language } from '../../protocol/index.ts';
import type { RedisClient } from '../log/redis-client.ts';

/** What a runner says about itself with each renewal. */
export interface RunnerInfo {
  id: string;
  /** Languages it has sandbox images for. */
  languages: Language[];
  /** Null while its Docker engine answers; else why it takes no runs. */
  down: string | null;
  /** Runs executing now, and warm sandboxes per language. */
  active: number;
  warm: Partial<Record<Language, number>>;
}

/**
 * Contract: a runner that stops renewing (killed, frozen, cut off from Redis) counts as lost once its lease ends,
 * `lostAfterMs` after its last renewal at the latest; renewals come every quarter of it. Two keys with one hash
 * tag (one Redis Cluster slot, so one transaction); nothing here is per run.
 */
export class RunnerDirectory {
  private timer: NodeJS.Timeout | null = null;
  private id: string | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly lostAfterMs: number,
  ) {}

  private get leases(): string {
    return `${this.prefix}:{q}:runners`;
  }

  private get infos(): string {
    return `${this.prefix}:{q}:runner-info`;
  }

  private describe: (() => RunnerInfo) | null = null;

  /** Starts renewing `id`'s lease and description (now, then every quarter of the lost time). */
  start(id: string, describe: () => RunnerInfo): void {
    this.id = id;
    this.describe = describe;
    this.renew();
    this.timer = setInterval(() => this.renew(), Math.max(250, this.lostAfterMs / 4));
    this.timer.unref();
  }

  /** Renews now (after a reconnection, or when what the runner says about itself changed). */
  renew(): void {
    if (!this.id || !this.describe) return;
    void this.redis
      .multi()
      .zadd(this.leases, Date.now() + this.lostAfterMs, this.id)
      .hset(this.infos, this.id, JSON.stringify(this.describe()))
      .exec()
      .catch(() => undefined);
  }

  async alive(id: string): Promise<boolean> {
    const until = await this.redis.zscore(this.leases, id);
    return until !== null && Number(until) > Date.now();
  }

  /** The runners alive now, with what they last said (leases long past are dropped on the way). */
  async list(): Promise<RunnerInfo[]> {
    const now = Date.now();
    const dead = await this.redis.zrangebyscore(this.leases, '-inf', now - 10 * this.lostAfterMs);
    if (dead.length > 0) await this.redis.multi().zrem(this.leases, ...dead).hdel(this.infos, ...dead).exec();
    const ids = await this.redis.zrangebyscore(this.leases, now, '+inf');
    if (ids.length === 0) return [];
    const infos = await this.redis.hmget(this.infos, ...ids);
    return infos.flatMap((json, i) => {
      if (!json) return [];
      try {
        return [{ ...(JSON.parse(json) as RunnerInfo), id: ids[i] }];
      } catch {
        return [];
      }
    });
  }

  /** Runners whose lease lapsed (not long ago: entries are dropped after ten lost times). */
  async lapsed(): Promise<string[]> {
    return this.redis.zrangebyscore(this.leases, Date.now() - 10 * this.lostAfterMs, `(${Date.now()}`);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.id) await this.redis.multi().zrem(this.leases, this.id).hdel(this.infos, this.id).exec().catch(() => undefined);
  }
}
