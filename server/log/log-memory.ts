/** In-process session log: the default when no REDIS_URL is set (one node only). */
import { START, compareIds, type LogEntry, type SessionLog, type StopTail } from './log.ts';

const DAY_MS = 24 * 3600 * 1000;

interface Stream {
  entries: LogEntry[];
  trimmedUpTo: string;
  touched: number;
  lastMs: number;
  lastSeq: number;
  tails: Set<() => void>;
}

export interface MemoryLogOptions {
  /** Oldest entries are dropped past this many per session. */
  maxLength: number;
  /** Entries older than this are dropped (ms); default one day. */
  maxAgeMs?: number;
  /** A session not appended to for this long is forgotten (ms); default one day. */
  idleMs?: number;
}

export class MemoryLog implements SessionLog {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly options: MemoryLogOptions) {}

  private stream(session: string): Stream {
    let s = this.streams.get(session);
    if (!s) {
      s = { entries: [], trimmedUpTo: START, touched: Date.now(), lastMs: 0, lastSeq: -1, tails: new Set() };
      this.streams.set(session, s);
    }
    return s;
  }

  async append(session: string, frames: Uint8Array[]): Promise<string[]> {
    const s = this.stream(session);
    const ids: string[] = [];
    for (const frame of frames) {
      const now = Date.now();
      if (now > s.lastMs) {
        s.lastMs = now;
        s.lastSeq = 0;
      } else {
        s.lastSeq++;
      }
      const id = `${s.lastMs}-${s.lastSeq}`;
      s.entries.push({ id, frame });
      ids.push(id);
    }
    this.trim(s);
    for (const wake of s.tails) wake();
    this.sweep();
    return ids;
  }

  private trim(s: Stream): void {
    const now = Date.now();
    s.touched = now;
    let drop = Math.max(0, s.entries.length - this.options.maxLength);
    while (drop < s.entries.length && Number(s.entries[drop].id.split('-')[0]) < now - (this.options.maxAgeMs ?? DAY_MS)) drop++;
    if (drop > 0) s.trimmedUpTo = s.entries.splice(0, drop)[drop - 1].id;
  }

  /** Forgets idle sessions nobody tails (checked at most once a minute). */
  private lastSweep = Date.now();
  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, s] of this.streams) if (s.tails.size === 0 && now - s.touched > (this.options.idleMs ?? DAY_MS)) this.streams.delete(id);
  }

  async first(session: string): Promise<string | null> {
    return this.streams.get(session)?.entries[0]?.id ?? null;
  }

  async trimmedUpTo(session: string): Promise<string> {
    return this.streams.get(session)?.trimmedUpTo ?? START;
  }

  async range(session: string, after: string, until?: string, count = Infinity): Promise<LogEntry[]> {
    return this.slice(session, after, until, count);
  }

  private slice(session: string, after: string, until: string | undefined, count: number): LogEntry[] {
    const entries = this.streams.get(session)?.entries ?? [];
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareIds(entries[mid].id, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const out: LogEntry[] = [];
    for (let i = lo; i < entries.length && out.length < count; i++) {
      if (until !== undefined && compareIds(entries[i].id, until) > 0) break;
      out.push(entries[i]);
    }
    return out;
  }

  async last(session: string): Promise<string | null> {
    const entries = this.streams.get(session)?.entries;
    return entries && entries.length > 0 ? entries[entries.length - 1].id : null;
  }

  async create(session: string): Promise<void> {
    this.stream(session);
  }

  async exists(session: string): Promise<boolean> {
    return this.streams.has(session);
  }

  tail(session: string, after: string, onEntries: (entries: LogEntry[]) => void): StopTail {
    const s = this.stream(session);
    let cursor = after;
    let scheduled = false;
    const deliver = () => {
      scheduled = false;
      const fresh = this.slice(session, cursor, undefined, Infinity);
      if (fresh.length === 0) return;
      cursor = fresh[fresh.length - 1].id;
      onEntries(fresh);
    };
    // Deliver on a later tick, as a network log would: callers must not rely on synchronous delivery.
    const wake = () => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => s.tails.has(wake) && deliver());
      }
    };
    s.tails.add(wake);
    wake();
    return () => {
      s.tails.delete(wake);
    };
  }

  async close(): Promise<void> {
    for (const s of this.streams.values()) s.tails.clear();
  }
}
