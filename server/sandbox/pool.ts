/** A warm pool in front of a sandbox: processes started ahead of demand, tracer loaded and blocked on its job; each used once. */
import type { Language } from '../../protocol/index.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { sameLimits, untilReady, type Sandbox, type SandboxLimits, type SandboxProcess } from './sandbox.ts';

// How long a replacement waits after a run took a warm process, while others are still warm.
const REFILL_DELAY_MS = 300;

export interface PoolOptions {
  /** Warm processes kept per language. 0 disables the pool (every run starts its own). */
  size: number;
  /** Processes being started at once, across languages. */
  refillConcurrency: number;
  languages: Language[];
  /** Warm processes are started with these limits; a run asking for others starts its own. */
  limits: SandboxLimits;
}

/**
 * Each warm process is handed out once: it leaves the pool when a run takes it and never
 * comes back. The run disposes it, or (owner-affinity.ts) its owner keeps the container for
 * its next runs; no other run ever gets it from here.
 */
export class WarmPool implements Sandbox {
  private readonly warmLists = new Map<Language, SandboxProcess[]>();
  private readonly starting = new Map<Language, number>();
  private readonly waiters = new Map<Language, Array<(p: SandboxProcess) => void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private refillTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly inner: Sandbox,
    private readonly options: PoolOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    for (const lang of options.languages) {
      this.warmLists.set(lang, []);
      this.starting.set(lang, 0);
      this.waiters.set(lang, []);
    }
    this.refill();
  }

  has(language: Language): Promise<boolean> {
    return this.inner.has(language);
  }

  reap(): Promise<number> {
    return this.inner.reap();
  }

  /** Warm processes of `language` waiting for a run now. */
  warm(language: Language): number {
    return this.warmLists.get(language)?.length ?? 0;
  }

  async start(language: Language, limits: SandboxLimits, labels: Record<string, string>): Promise<SandboxProcess> {
    if (this.options.size === 0 || !this.warmLists.has(language) || !sameLimits(limits, this.options.limits)) {
      return this.inner.start(language, limits, labels);
    }
    const list = this.warmLists.get(language)!;
    const taken = list.shift();
    this.metrics.poolWarm.set({ language }, list.length);
    if (taken) {
      // Starting a container takes a few hundred ms of the engine's CPU: while others are warm, the run that
      // just took one gets the machine for its first steps, and the replacement starts a moment later.
      if (list.length > 0) this.refillSoon();
      else this.refill();
      return taken;
    }
    this.metrics.poolWaits.inc({ language });
    const next = new Promise<SandboxProcess>((resolve) => this.waiters.get(language)!.push(resolve));
    this.refill();
    return next;
  }

  private refillSoon(): void {
    if (this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.refill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  /** Starts processes until every language has `size` warm or starting, within the concurrency bound. */
  private refill(): void {
    if (this.closed) return;
    for (;;) {
      if (this.inFlight.size >= this.options.refillConcurrency) return;
      const lang = this.options.languages
        .filter((l) => this.warmLists.get(l)!.length + this.starting.get(l)! < this.options.size + this.waiters.get(l)!.length)
        .sort((a, b) => this.warmLists.get(a)!.length - this.warmLists.get(b)!.length)[0];
      if (!lang) return;
      this.starting.set(lang, this.starting.get(lang)! + 1);
      const p: Promise<void> = this.startOne(lang).finally(() => {
        this.inFlight.delete(p);
        this.refill();
      });
      this.inFlight.add(p);
    }
  }

  private async startOne(language: Language): Promise<void> {
    const t0 = performance.now();
    try {
      const proc = await this.inner.start(language, this.options.limits, { 'tracecast.pool': '1' });
      await untilReady(proc);
      this.metrics.poolRefillSeconds.observe({ language }, (performance.now() - t0) / 1000);
      if (this.closed) {
        await proc.dispose();
        return;
      }
      const waiter = this.waiters.get(language)!.shift();
      if (waiter) waiter(proc);
      else this.warmLists.get(language)!.push(proc);
      this.metrics.poolWarm.set({ language }, this.warmLists.get(language)!.length);
    } catch (err) {
      if (this.closed) return;
      this.logger.error('warm sandbox failed to start', { language, err });
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      this.starting.set(language, this.starting.get(language)! - 1);
    }
  }

  /** Disposes every warm process (waiting for those being started); runs in progress keep theirs. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    await Promise.allSettled([...this.inFlight]);
    const all = [...this.warmLists.values()].flat();
    for (const list of this.warmLists.values()) list.length = 0;
    await Promise.all(all.map((p) => p.dispose().catch(() => undefined)));
  }
}
