/** How many warm sandboxes one language should have: a base, class reservations, and the recent rate of takes times the start latency. */
import type { Language } from '../../protocol/index.ts';

// Time constant of the take rate's exponential average: a class's burst counts for tens of seconds, not minutes.
const RATE_TAU_MS = 10_000;
// Warm sandboxes kept per (take per second × start seconds): the takes expected while one sandbox starts, with room.
const HEADROOM = 1.5;

interface Reservation {
  language: Language;
  /** Sandboxes still expected to be taken. */
  remaining: number;
  until: number;
}

/**
 * Per-language demand. Contract: `target` never goes below `base`, which also covers a rate of takes (or a queue
 * backlog) that needs no more than it; a reservation adds its remaining count until it
 * is released, expires, or is used up by takes (each pooled take uses one of the oldest reservation's); the rate
 * term decays to nothing a few time constants after the last take, so an idle pool falls back to its base.
 */
export class PoolDemand {
  private readonly rate = new Map<Language, { value: number; at: number }>();
  private readonly startSeconds = new Map<Language, number>();
  private readonly lastTake = new Map<Language, number>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly backlog = new Map<Language, number>();

  constructor(private readonly base: number) {}

  /** A run took (or asked for) a sandbox of `language`. */
  took(language: Language, now = Date.now()): void {
    this.rate.set(language, { value: this.rateOf(language, now) + 1000 / RATE_TAU_MS, at: now });
    this.lastTake.set(language, now);
    for (const r of this.reservations.values()) {
      if (r.language === language && r.remaining > 0 && r.until > now) {
        r.remaining--;
        break;
      }
    }
  }

  /** A sandbox of `language` took `seconds` from create to ready. */
  started(language: Language, seconds: number): void {
    const prev = this.startSeconds.get(language);
    this.startSeconds.set(language, prev === undefined ? seconds : 0.8 * prev + 0.2 * seconds);
  }

  /** Runs of `language` waiting in the queue, not yet asking for a sandbox: each will ask soon. */
  setBacklog(language: Language, queued: number): void {
    this.backlog.set(language, queued);
  }

  /** Keeps `count` more sandboxes of `language` warm for `key` (a class session) until `until` (ms); 0 releases it. */
  reserve(key: string, language: Language, count: number, until: number): void {
    if (count <= 0) this.reservations.delete(key);
    else this.reservations.set(key, { language, remaining: count, until });
  }

  /** Takes per second of `language`, decayed to `now`. */
  rateOf(language: Language, now = Date.now()): number {
    const r = this.rate.get(language);
    return r ? r.value * Math.exp(-(now - r.at) / RATE_TAU_MS) : 0;
  }

  /** Warm sandboxes `language` should have now. */
  target(language: Language, now = Date.now()): number {
    let reserved = 0;
    for (const [key, r] of this.reservations) {
      if (r.until <= now || r.remaining <= 0) this.reservations.delete(key);
      else if (r.language === language) reserved += r.remaining;
    }
    const rate = Math.ceil(this.rateOf(language, now) * (this.startSeconds.get(language) ?? 1) * HEADROOM);
    return Math.max(this.base, rate, this.backlog.get(language) ?? 0) + reserved;
  }

  /** Milliseconds since `language` was last taken (Infinity: never). */
  idleFor(language: Language, now = Date.now()): number {
    const t = this.lastTake.get(language);
    return t === undefined ? Infinity : now - t;
  }
}
