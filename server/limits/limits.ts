/** The limits port: named counters over a time window, refused past their number with how long to wait (limits-flexible.ts is the adapter). */

/** Whether `key` may go on; when not, how long until it may (ms). */
export type Decision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * One limit: `points` per `durationS` for each key. Contract: `consume` counts one and refuses once the key has used
 * its points in the window, saying when the window ends; `peek` says whether the key is refused now, without counting.
 * Windows are fixed, starting at a key's first count, and shared by every process using the same store (Redis) or
 * kept per process (memory). A store failure rejects (the caller answers `internal`, it does not let the request by).
 */
export interface Limit {
  readonly points: number;
  consume(key: string): Promise<Decision>;
  peek(key: string): Promise<Decision>;
}

/** Makes a limit; `name` separates the counters of different limits in a shared store. */
export type LimitFactory = (name: string, points: number, durationS: number) => Limit;

/** Consumes each limit in order; the first refusal wins (the rest are not counted). */
export async function consumeAll(limits: Array<[Limit, string]>): Promise<Decision> {
  for (const [limit, key] of limits) {
    const d = await limit.consume(key);
    if (!d.ok) return d;
  }
  return { ok: true };
}
