/**
 * Presence across gateways on Redis. Each session has a hash `tc:{<session>}:presence` with one
 * field per gateway: `<count>:<lease end, ms>`. A gateway renews its leases while it lives, so the
 * counts of one that died (kill -9) lapse within LEASE_MS; changes are announced on a pub/sub channel.
 */
import type { RedisClient } from '../log/redis-client.ts';
import type { PresenceBoard } from './presence.ts';

const CHANNEL = 'tc:presence';
const LEASE_MS = 15_000;
const RENEW_EVERY_MS = 5_000;

const keyOf = (session: string) => `tc:{${session}}:presence`;

export class RedisPresence implements PresenceBoard {
  private readonly mine = new Map<string, number>();
  private readonly listeners: Array<(session: string) => void> = [];
  private readonly subscriber: RedisClient;
  private readonly renewTimer: NodeJS.Timeout;
  private readonly ready: Promise<unknown>;

  constructor(
    private readonly redis: RedisClient,
    private readonly gatewayId: string,
  ) {
    this.subscriber = redis.duplicate();
    // It reconnects (and resubscribes) by itself; without a listener each failure is printed as unhandled.
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => {
      const space = message.indexOf(' ');
      if (message.slice(0, space) === this.gatewayId) return;
      this.notify(message.slice(space + 1));
    });
    this.ready = this.subscriber.subscribe(CHANNEL);
    this.renewTimer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewTimer.unref();
  }

  async report(session: string, watchers: number): Promise<void> {
    if (watchers > 0) this.mine.set(session, watchers);
    else this.mine.delete(session);
    const key = keyOf(session);
    const tx = this.redis.multi();
    if (watchers > 0) tx.hset(key, this.gatewayId, `${watchers}:${Date.now() + LEASE_MS}`).pexpire(key, 2 * LEASE_MS);
    else tx.hdel(key, this.gatewayId);
    await tx.publish(CHANNEL, `${this.gatewayId} ${session}`).exec();
  }

  async total(session: string): Promise<number> {
    const fields = await this.redis.hgetall(keyOf(session));
    const now = Date.now();
    let sum = 0;
    for (const value of Object.values(fields)) {
      const colon = value.indexOf(':');
      if (Number(value.slice(colon + 1)) > now) sum += Number(value.slice(0, colon));
    }
    return sum;
  }

  onChange(cb: (session: string) => void): void {
    this.listeners.push(cb);
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    await this.ready.catch(() => undefined);
    const sessions = [...this.mine.keys()];
    await Promise.all(sessions.map((s) => this.report(s, 0))).catch(() => undefined);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /** Renews this gateway's leases, and re-checks the totals of its sessions: another gateway's may have lapsed. */
  private async renew(): Promise<void> {
    if (this.mine.size === 0) return;
    const until = Date.now() + LEASE_MS;
    // One transaction per session: each session's key is in its own Redis Cluster slot.
    await Promise.all(
      [...this.mine].map(([session, watchers]) => this.redis.multi().hset(keyOf(session), this.gatewayId, `${watchers}:${until}`).pexpire(keyOf(session), 2 * LEASE_MS).exec()),
    ).catch(() => undefined);
    for (const session of this.mine.keys()) this.notify(session);
  }

  private notify(session: string): void {
    for (const cb of this.listeners) cb(session);
  }
}
