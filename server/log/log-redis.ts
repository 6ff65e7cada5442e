/** Session log on Redis Streams: one stream per session, tailed by one multiplexed blocking reader. */
import { Cluster } from 'ioredis';
import { ClusterTails } from './cluster-tails.ts';
import type { RedisClient } from './redis-client.ts';
import { START, compareIds as cmp, deliverNew, type LogEntry, type SessionLog, type StopTail } from './log.ts';

export interface RedisLogOptions {
  /** Approximate cap on entries per session stream (XADD MAXLEN ~). */
  maxLength: number;
  /** Entries older than this are trimmed on append (XTRIM MINID ~), ms; default one day. */
  maxAgeMs?: number;
  /** A stream not appended to for this long expires (PEXPIRE on every append), ms; default one day. */
  idleMs?: number;
  /** Key prefix; the session id is a hash tag so a session's keys share a Redis Cluster slot. */
  prefix?: string;
  /** How long one XREAD blocks before re-issuing (ms). */
  blockMs?: number;
}

interface Tail {
  cursor: string;
  onEntries: (entries: LogEntry[]) => void;
  onError: (err: Error) => void;
}

const DAY_MS = 24 * 3600 * 1000;

type XReadReply = Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;

function toEntries(raw: Array<[Buffer | string, Array<Buffer | string>]>): LogEntry[] {
  const out: LogEntry[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i];
    out[i] = { id: id.toString(), frame: fields[1] as Buffer };
  }
  return out;
}

export class RedisLog implements SessionLog {
  private readonly prefix: string;
  private readonly blockMs: number;
  private readonly reader: RedisClient | null;
  /** On Redis Cluster: tails by notice and range reads instead of one blocking XREAD (cluster-tails.ts). */
  private readonly clusterTails: ClusterTails | null;
  private readonly tails = new Map<string, Set<Tail>>();
  private readerId: number | null = null;
  private reading = false;
  private generation = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisLogOptions,
  ) {
    this.prefix = options.prefix ?? 'tc';
    this.blockMs = options.blockMs ?? 5000;
    // A blocked XREAD holds its connection: the reader gets its own. Its failures reach the tails (onError) and it
    // reconnects by itself: the 'error' events need a listener, or Node prints each as unhandled.
    if (redis instanceof Cluster) {
      this.reader = null;
      this.clusterTails = new ClusterTails(redis, `${this.prefix}:log:appended`, (s) => this.key(s));
    } else {
      this.reader = redis.duplicate();
      this.reader.on('error', () => undefined);
      this.clusterTails = null;
    }
  }

  key(session: string): string {
    return `${this.prefix}:{${session}}:log`;
  }

  /** Marks a session created before its first frame (`create`); expires like an idle stream. */
  private createdKey(session: string): string {
    return `${this.prefix}:{${session}}:created`;
  }

  async create(session: string): Promise<void> {
    await this.redis.set(this.createdKey(session), '1', 'PX', this.options.idleMs ?? DAY_MS);
  }

  async exists(session: string): Promise<boolean> {
    // Both keys carry the session's hash tag: one slot, so one EXISTS on Redis Cluster too.
    return (await this.redis.exists(this.key(session), this.createdKey(session))) > 0;
  }

  async append(session: string, frames: Uint8Array[]): Promise<string[]> {
    const key = this.key(session);
    const multi = this.redis.multi();
    for (const frame of frames) {
      multi.xadd(key, 'MAXLEN', '~', this.options.maxLength, '*', 'f', Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    }
    multi.xtrim(key, 'MINID', '~', Math.max(0, Date.now() - (this.options.maxAgeMs ?? DAY_MS)));
    multi.pexpire(key, this.options.idleMs ?? DAY_MS);
    // On a cluster the tails learn of new entries from this notice (a channel is no key: it does not leave the slot).
    if (this.clusterTails) multi.publish(this.clusterTails.channel, session);
    const results = await multi.exec();
    if (!results) throw new Error(`log append to ${key}: transaction aborted`);
    return results.slice(0, frames.length).map(([err, id]) => {
      if (err) throw new Error(`log append to ${key}: ${err.message}`);
      return id as string;
    });
  }

  async range(session: string, after: string, until = '+', count?: number): Promise<LogEntry[]> {
    const args: Array<string | number> = [this.key(session), `(${after}`, until];
    if (count !== undefined && Number.isFinite(count)) args.push('COUNT', count);
    const raw = (await (this.redis as any).xrangeBuffer(...args)) as Array<[Buffer, Buffer[]]>;
    return toEntries(raw);
  }

  async last(session: string): Promise<string | null> {
    const raw = await this.redis.xrevrange(this.key(session), '+', '-', 'COUNT', 1);
    return raw.length > 0 ? raw[0][0] : null;
  }

  async first(session: string): Promise<string | null> {
    const raw = await this.redis.xrange(this.key(session), '-', '+', 'COUNT', 1);
    return raw.length > 0 ? raw[0][0] : null;
  }

  async trimmedUpTo(session: string): Promise<string> {
    try {
      const info = (await this.redis.xinfo('STREAM', this.key(session))) as unknown[];
      const i = info.indexOf('max-deleted-entry-id');
      return i >= 0 ? String(info[i + 1]) : START;
    } catch (err) {
      if (/no such key/i.test((err as Error).message)) return START;
      throw err;
    }
  }

  tail(session: string, after: string, onEntries: (entries: LogEntry[]) => void, onError: (err: Error) => void): StopTail {
    const tail: Tail = { cursor: after, onEntries, onError };
    if (this.clusterTails) return this.clusterTails.add(session, tail);
    let set = this.tails.get(session);
    if (!set) this.tails.set(session, (set = new Set()));
    set.add(tail);
    this.kick();
    return () => {
      const s = this.tails.get(session);
      if (!s) return;
      s.delete(tail);
      if (s.size === 0) this.tails.delete(session);
    };
  }

  /** Makes the reader include new tails: start it, or interrupt its current block. */
  private kick(): void {
    if (!this.reading) {
      void this.readLoop();
      return;
    }
    const generation = this.generation;
    const unblock = async (attempt: number): Promise<void> => {
      if (this.closed || generation !== this.generation) return;
      const n = this.readerId === null ? 0 : await this.redis.client('UNBLOCK', this.readerId).catch(() => 0);
      // 0: the XREAD was not blocked yet (or just returned); try again shortly unless the loop moved on.
      if (n === 0 && attempt < 50) setTimeout(() => void unblock(attempt + 1), 2);
    };
    void unblock(0);
  }

  private async readLoop(): Promise<void> {
    this.reading = true;
    let backoff = 50;
    try {
      while (!this.closed && this.tails.size > 0) {
        if (this.readerId === null) {
          try {
            this.readerId = (await this.reader!.client('ID')) as number;
          } catch (err) {
            backoff = await this.pause(err as Error, backoff);
            continue;
          }
        }
        const sessions = [...this.tails.keys()];
        const keys = sessions.map((s) => this.key(s));
        const ids = sessions.map((s) => {
          let min: string | null = null;
          for (const t of this.tails.get(s)!) if (min === null || cmp(t.cursor, min) < 0) min = t.cursor;
          return min!;
        });
        let reply: XReadReply;
        try {
          reply = (await this.reader!.xreadBuffer('COUNT', 1000, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...ids)) as XReadReply;
          backoff = 50;
        } catch (err) {
          if (this.closed) return;
          this.readerId = null;
          backoff = await this.pause(err as Error, backoff);
          continue;
        } finally {
          this.generation++;
        }
        if (!reply) continue;
        for (const [keyBuf, raw] of reply) {
          const key = keyBuf.toString();
          const session = sessions[keys.indexOf(key)];
          const set = this.tails.get(session);
          if (!set || raw.length === 0) continue;
          deliverNew(set, toEntries(raw));
        }
      }
    } finally {
      this.reading = false;
      this.readerId = null;
    }
  }

  /** Reports a read failure to every tail and waits before retrying; returns the next wait. */
  private async pause(err: Error, ms: number): Promise<number> {
    for (const set of this.tails.values()) for (const t of set) t.onError(err);
    await new Promise((r) => setTimeout(r, ms));
    return Math.min(ms * 2, 2000);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tails.clear();
    this.reader?.disconnect();
    this.clusterTails?.close();
  }
}
