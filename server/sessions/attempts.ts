/** Limits failed join-code attempts per peer address, so codes cannot be enumerated cheaply. */

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds to wait before `key` may try again (0: it may try now). */
  retryAfter(key: string, now = Date.now()): number {
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, recent);
    return recent.length < this.maxFailures ? 0 : this.windowMs - (now - recent[0]);
  }

  fail(key: string, now = Date.now()): void {
    if (this.failures.size > 100_000) this.prune(now);
    const list = this.failures.get(key) ?? [];
    list.push(now);
    this.failures.set(key, list);
  }

  private prune(now: number): void {
    for (const [key, list] of this.failures) if (list.every((t) => now - t >= this.windowMs)) this.failures.delete(key);
  }

}
