/** A warm pool in front of a sandbox: processes started ahead of demand, tracer loaded and blocked on its job; each used once; grows with demand within the host's memory budget and shrinks when idle. */
import type { Language } from '../../protocol/index.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { Capacity, commitOf } from './capacity.ts';
import { PoolDemand } from './pool-demand.ts';
import { sameLimits, untilReady, type Sandbox, type SandboxLimits, type SandboxProcess } from './sandbox.ts';

// How long a replacement waits after a run took a warm process, while others are still warm.
const REFILL_DELAY_MS = 300;
// How often the pool looks for warm processes to remove (idle) and expired reservations.
const SHRINK_EVERY_MS = 2_000;

export interface PoolOptions {
  /** Warm processes kept per language at the least. 0 disables the pool (every run starts its own). */
  size: number;
  /** Processes being started at once, across languages, while the pool only tops up. */
  refillConcurrency: number;
  /** Processes being started at once while runs wait for one or the pool is far below its target (a class burst). */
  burstConcurrency: number;
  languages: Language[];
  /** Warm processes are started with these limits; a run asking for others starts its own. */
  limits: SandboxLimits;
  /** Memory (MB) every live sandbox together may commit (capacity.ts); no start past it. */
  memoryBudgetMb: number;
  /** Warm processes above the target, with no take of their language for this long, are removed. */
  idleMs: number;
}

/** Frees a sandbox held for someone (an owner's idle container) so that a waiting run can have its room; null: none. */
export type Reclaimer = () => Promise<void> | null;

/** What the pool is doing, for /health. */
export interface PoolState {
  budgetMb: number;
  committedMb: number;
  languages: Record<string, { warm: number; starting: number; target: number; waiting: number }>;
}

/**
 * Each warm process is handed out once: it leaves the pool when a run takes it and never
 * comes back. The run disposes it, or (owner-affinity.ts) its owner keeps the container for
 * its next runs; no other run ever gets it from here.
 *
 * Size: the target of each language (pool-demand.ts: base, reservations, take rate × start latency, queue
 * backlog) plus the runs waiting; starts go `refillConcurrency` at a time, `burstConcurrency` while runs wait or
 * the deficit is larger. Every sandbox it hands out, warm or not, commits its memory limit (capacity.ts) until it
 * is removed; when the budget is full and a run waits, room is made by removing a warm process of a language
 * nobody waits for, or (the reclaimer) an owner's idle container. A run is never refused for room: it waits.
 */
export class WarmPool implements Sandbox {
  private readonly warmLists = new Map<Language, SandboxProcess[]>();
  private readonly starting = new Map<Language, number>();
  private readonly waiters = new Map<Language, Array<(p: SandboxProcess) => void>>();
  /** Runs of a language the pool does not keep (other limits, or pool size 0), waiting for room. */
  private readonly roomWaiters: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly demand: PoolDemand;
  readonly capacity: Capacity;
  private reclaimer: Reclaimer | null = null;
  private reclaiming = 0;
  private closed = false;
  private refillTimer: NodeJS.Timeout | null = null;
  private readonly shrinkTimer: NodeJS.Timeout;

  constructor(
    private readonly inner: Sandbox,
    private readonly options: PoolOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.demand = new PoolDemand(options.size);
    this.capacity = new Capacity(options.memoryBudgetMb);
    this.capacity.onRelease(() => {
      this.roomWaiters.shift()?.();
      this.refill();
    });
    for (const lang of options.languages) {
      this.warmLists.set(lang, []);
      this.starting.set(lang, 0);
      this.waiters.set(lang, []);
    }
    this.shrinkTimer = setInterval(() => this.shrink(), Math.min(SHRINK_EVERY_MS, options.idleMs));
    this.shrinkTimer.unref();
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

  /** Who frees an owner's idle sandbox when a run needs its room (owner-affinity.ts). */
  setReclaimer(reclaimer: Reclaimer): void {
    this.reclaimer = reclaimer;
  }

  /**
   * Keeps `count` more processes of `language` warm for `key` (a class session) until `until` or until that many
   * were taken; 0 releases it. Returns how many the budget can hold at most (the count, or fewer).
   */
  reserve(key: string, language: Language, count: number, until: number): number {
    if (this.options.size === 0 || !this.warmLists.has(language)) return 0;
    this.demand.reserve(key, language, count, until);
    this.refill();
    return Math.min(count, Math.max(0, this.capacity.holds(commitOf(language, this.options.limits)) - this.options.size));
  }

  /** Runs of `language` queued and not yet asking for a sandbox: the pool starts ahead for them. */
  setBacklog(language: Language, queued: number): void {
    if (!this.warmLists.has(language)) return;
    this.demand.setBacklog(language, queued);
    if (queued > 0) this.refill();
  }

  state(): PoolState {
    const languages: PoolState['languages'] = {};
    for (const lang of this.warmLists.keys()) {
      languages[lang] = { warm: this.warm(lang), starting: this.starting.get(lang)!, target: this.demand.target(lang), waiting: this.waiters.get(lang)!.length };
    }
    return { budgetMb: this.capacity.budgetMb, committedMb: this.capacity.committedMb, languages };
  }

  async start(language: Language, limits: SandboxLimits, labels: Record<string, string>): Promise<SandboxProcess> {
    if (this.options.size === 0 || !this.warmLists.has(language) || !sameLimits(limits, this.options.limits)) {
      return this.startOwn(language, limits, labels);
    }
    this.demand.took(language);
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

  /** A sandbox the pool does not keep warm, started for this run once the budget has room for it. */
  private async startOwn(language: Language, limits: SandboxLimits, labels: Record<string, string>): Promise<SandboxProcess> {
    const mb = commitOf(language, limits);
    while (!this.closed && !this.capacity.fits(mb) && mb <= this.capacity.budgetMb) {
      const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      this.makeRoom();
      await room;
    }
    this.capacity.commit(mb);
    try {
      return this.capacity.track(await this.inner.start(language, limits, labels), mb);
    } catch (err) {
      this.capacity.release(mb);
      throw err;
    }
  }

  private refillSoon(): void {
    if (this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.refill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  /** Processes `language` still needs started: its target and its waiting runs, less what is warm or starting. */
  private deficit(language: Language): number {
    return this.demand.target(language) + this.waiters.get(language)!.length - this.warmLists.get(language)!.length - this.starting.get(language)!;
  }

  /** Starts processes until every language has its target warm or starting, within the concurrency bound and the budget. */
  private refill(): void {
    if (this.closed || this.options.size === 0) return;
    for (;;) {
      // Runs waiting first; then the language furthest below its target.
      const lang = this.options.languages
        .filter((l) => this.deficit(l) > 0)
        .sort((a, b) => this.waiters.get(b)!.length - this.waiters.get(a)!.length || this.deficit(b) - this.deficit(a))[0];
      if (!lang) return;
      const urgent = this.waiters.get(lang)!.length > 0 || this.deficit(lang) > this.options.refillConcurrency;
      if (this.inFlight.size >= (urgent ? Math.max(this.options.burstConcurrency, this.options.refillConcurrency) : this.options.refillConcurrency)) return;
      const mb = commitOf(lang, this.options.limits);
      if (!this.capacity.fits(mb)) {
        this.makeRoom();
        return;
      }
      this.capacity.commit(mb);
      this.starting.set(lang, this.starting.get(lang)! + 1);
      const p: Promise<void> = this.startOne(lang, mb).finally(() => {
        this.inFlight.delete(p);
        this.refill();
      });
      this.inFlight.add(p);
    }
  }

  /**
   * The budget is full: if runs wait, frees one sandbox's room per waiting run (less those being freed) — a warm
   * process of a language nobody waits for, else an owner's idle container. Warm processes for a target alone never
   * push anything out.
   */
  private makeRoom(): void {
    let waiting = this.roomWaiters.length;
    for (const list of this.waiters.values()) waiting += list.length;
    while (this.reclaiming < waiting) {
      const spare = this.options.languages.filter((l) => this.waiters.get(l)!.length === 0 && this.warmLists.get(l)!.length > 0).sort((a, b) => this.warm(b) - this.warm(a))[0];
      let freeing: Promise<void> | null = null;
      if (spare) {
        const proc = this.warmLists.get(spare)!.pop()!;
        this.metrics.poolWarm.set({ language: spare }, this.warm(spare));
        freeing = proc.dispose().catch((err) => this.logger.error('removing a warm sandbox failed', { sandbox: proc.id, err }));
      } else {
        freeing = this.reclaimer?.() ?? null;
      }
      if (!freeing) return;
      this.reclaiming++;
      void freeing.finally(() => this.reclaiming--);
    }
  }

  private async startOne(language: Language, mb: number): Promise<void> {
    const t0 = performance.now();
    let proc: SandboxProcess | null = null;
    try {
      proc = this.capacity.track(await this.inner.start(language, this.options.limits, { 'tracecast.pool': '1' }), mb);
      await untilReady(proc);
      const seconds = (performance.now() - t0) / 1000;
      this.metrics.poolRefillSeconds.observe({ language }, seconds);
      this.demand.started(language, seconds);
      if (this.closed) {
        await proc.dispose();
        return;
      }
      const waiter = this.waiters.get(language)!.shift();
      if (waiter) waiter(proc);
      else this.keepWarm(language, proc);
      this.metrics.poolWarm.set({ language }, this.warmLists.get(language)!.length);
    } catch (err) {
      if (proc) await proc.dispose().catch(() => undefined);
      else this.capacity.release(mb);
      if (this.closed) return;
      this.logger.error('warm sandbox failed to start', { language, err });
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      this.starting.set(language, this.starting.get(language)! - 1);
    }
  }

  /** Keeps `proc` warm; one whose sandbox ends while it waits (killed, its engine gone) leaves the pool and is removed. */
  private keepWarm(language: Language, proc: SandboxProcess): void {
    const list = this.warmLists.get(language)!;
    list.push(proc);
    void proc.exited.then(
      () => this.dropWarm(language, proc),
      () => this.dropWarm(language, proc),
    );
  }

  private dropWarm(language: Language, proc: SandboxProcess): void {
    const list = this.warmLists.get(language)!;
    const i = list.indexOf(proc);
    if (i < 0) return;
    list.splice(i, 1);
    this.metrics.poolWarm.set({ language }, list.length);
    this.logger.warn('a warm sandbox ended before a run took it: removed', { language, sandbox: proc.id });
    void proc.dispose().catch(() => undefined);
    this.refill();
  }

  /** Removes warm processes above their language's target once nobody has taken one for `idleMs`. */
  private shrink(): void {
    if (this.closed) return;
    for (const [lang, list] of this.warmLists) {
      if (this.demand.idleFor(lang) < this.options.idleMs) continue;
      const excess = list.length + this.starting.get(lang)! - this.demand.target(lang) - this.waiters.get(lang)!.length;
      if (excess <= 0) continue;
      const extra = list.splice(0, Math.min(excess, list.length));
      this.metrics.poolWarm.set({ language: lang }, list.length);
      for (const proc of extra) void proc.dispose().catch((err) => this.logger.error('removing a warm sandbox failed', { sandbox: proc.id, err }));
    }
    this.refill();
  }

  /** Disposes every warm process (waiting for those being started); runs in progress keep theirs. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    clearInterval(this.shrinkTimer);
    for (const w of this.roomWaiters.splice(0)) w();
    await Promise.allSettled([...this.inFlight]);
    const all = [...this.warmLists.values()].flat();
    for (const list of this.warmLists.values()) list.length = 0;
    await Promise.all(all.map((p) => p.dispose().catch(() => undefined)));
  }
}
