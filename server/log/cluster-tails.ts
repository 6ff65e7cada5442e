/**
 * Tails of session logs on Redis Cluster. A session's stream is in its own slot, and one XREAD cannot span slots,
 * so the single multiplexed blocking read of log-redis.ts does not work there: each append also publishes the
 * session's id on a channel, and a tailed session is read (XRANGE after its cursor) when its id comes by, and once
 * a second whatever comes by (a notice lost while the subscriber reconnected is made up for within a second).
 */
import type { RedisClient } from './redis-client.ts';
import { compareIds as cmp, deliverNew, type LogEntry } from './log.ts';

interface Tail {
  cursor: string;
  onEntries: (entries: LogEntry[]) => void;
  onError: (err: Error) => void;
}

// Entries read per XRANGE; a session with more waiting is read again at once.
const BATCH = 1000;
const SWEEP_MS = 1000;

export class ClusterTails {
  private readonly tails = new Map<string, Set<Tail>>();
  /** Sessions being read now, and those to read again once that read is over. */
  private readonly reading = new Set<string>();
  private readonly again = new Set<string>();
  private readonly subscriber: RedisClient;
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    readonly channel: string,
    private readonly keyOf: (session: string) => string,
  ) {
    this.subscriber = redis.duplicate();
    // It reconnects (and resubscribes) by itself; reads report their own failures to the tails.
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, session: string) => {
      if (this.tails.has(session)) this.read(session);
    });
    void this.subscriber.subscribe(channel).catch(() => undefined);
    this.sweep = setInterval(() => {
      for (const session of this.tails.keys()) this.read(session);
    }, SWEEP_MS);
    this.sweep.unref();
  }

  add(session: string, tail: Tail): () => void {
    let set = this.tails.get(session);
    if (!set) this.tails.set(session, (set = new Set()));
    set.add(tail);
    this.read(session);
    return () => {
      const s = this.tails.get(session);
      if (!s) return;
      s.delete(tail);
      if (s.size === 0) this.tails.delete(session);
    };
  }

  /** Reads what `session`'s tails have not seen; one read per session at a time, in order. */
  private read(session: string): void {
    if (this.reading.has(session)) {
      this.again.add(session);
      return;
    }
    this.reading.add(session);
    void this.readAll(session).finally(() => {
      this.reading.delete(session);
      if (this.again.delete(session) && this.tails.has(session)) this.read(session);
    });
  }

  private async readAll(session: string): Promise<void> {
    for (;;) {
      const set = this.tails.get(session);
      if (!set || set.size === 0) return;
      let from: string | null = null;
      for (const t of set) if (from === null || cmp(t.cursor, from) < 0) from = t.cursor;
      let raw: Array<[Buffer, Buffer[]]>;
      try {
        raw = (await (this.redis as unknown as { xrangeBuffer(...args: unknown[]): Promise<Array<[Buffer, Buffer[]]>> }).xrangeBuffer(this.keyOf(session), `(${from}`, '+', 'COUNT', BATCH));
      } catch (err) {
        for (const t of set) t.onError(err as Error);
        return;
      }
      if (raw.length === 0) return;
      const entries: LogEntry[] = raw.map(([id, fields]) => ({ id: id.toString(), frame: fields[1] }));
      deliverNew(this.tails.get(session) ?? [], entries);
      if (raw.length < BATCH) return;
    }
  }

  close(): void {
    clearInterval(this.sweep);
    this.tails.clear();
    this.subscriber.disconnect();
  }
}
