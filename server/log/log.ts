/** The session log port: an append-only, replayable sequence of encoded frames per session. */

/** One frame in a session log, at its position. */
export interface LogEntry {
  /** `<ms>-<seq>`, strictly increasing within a session; the frame's `pos` on the wire. */
  id: string;
  /** The frame as the runner encoded it (MessagePack); forwarded to clients as bytes. */
  frame: Uint8Array;
}

/** The position before the first entry of every session. */
export const START = '0-0';

/** Stop a `tail`. Idempotent. */
export type StopTail = () => void;

/**
 * Contract shared by every adapter (see tests/integration/log.test.ts, run against each):
 * - `append` is atomic per call: the frames get consecutive, increasing ids in the given
 *   order, and no other append to the same session interleaves with them.
 * - `range` and `tail` return entries in id order, each exactly once.
 * - `tail` delivers every entry with id > `after` — those already in the log and those
 *   appended later — in order, without gaps or duplicates, until stopped. `onEntries`
 *   is never called concurrently for one tail.
 * - Entries may be trimmed by retention (length, age, idleness); `first` tells where a
 *   session's retained log begins and `trimmedUpTo` the newest id retention removed.
 */
export interface SessionLog {
  append(session: string, frames: Uint8Array[]): Promise<string[]>;
  /** Entries with `after` < id <= `until` (default: to the end), at most `count`. */
  range(session: string, after: string, until?: string, count?: number): Promise<LogEntry[]>;
  /** The id of the newest entry, or null for an empty or unknown session. */
  last(session: string): Promise<string | null>;
  /** The id of the oldest retained entry, or null. */
  first(session: string): Promise<string | null>;
  /** The newest id removed by retention (START when nothing was): a reader behind it has a gap. */
  trimmedUpTo(session: string): Promise<string>;
  tail(session: string, after: string, onEntries: (entries: LogEntry[]) => void, onError: (err: Error) => void): StopTail;
  /**
   * Makes `session` known before its first frame (idempotent), so that a subscriber can tell it from a misspelt id
   * on every node sharing the log; it is forgotten like an idle log (the adapter's idle time after creation).
   */
  create(session: string): Promise<void>;
  /** Whether `session` was created, or has had frames, and has not expired since. */
  exists(session: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Compares two log ids numerically (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/** A reader's place in a session log and where its new entries go. */
export interface TailCursor {
  cursor: string;
  onEntries(entries: LogEntry[]): void;
}

/** Hands each tail the entries (in id order) after its cursor, and moves the cursor; a tail with none new is skipped. */
export function deliverNew(tails: Iterable<TailCursor>, entries: LogEntry[]): void {
  for (const t of tails) {
    let from = 0;
    while (from < entries.length && compareIds(entries[from].id, t.cursor) <= 0) from++;
    if (from === entries.length) continue;
    const mine = from === 0 ? entries : entries.slice(from);
    t.cursor = mine[mine.length - 1].id;
    t.onEntries(mine);
  }
}
