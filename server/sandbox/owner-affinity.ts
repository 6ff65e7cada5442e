/** Per-owner reuse in front of a sandbox: a sandbox that served a run serves its owner's next runs, a fresh process each time, and never another owner. */
import type { Language } from '../../protocol/index.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { delegating, sameLimits, type Sandbox, type SandboxLimits, type SandboxProcess } from './sandbox.ts';

export interface AffinityOptions {
  /** Runs one sandbox serves before it is removed. */
  maxRuns: number;
  /** An owner's sandbox unused this long is removed. */
  idleMs: number;
  /** Only runs with these limits reuse (the sandbox's limits are set when it is created). */
  limits: SandboxLimits;
}

/** A sandbox process the adapter holds for an owner, and how many runs its container has served. */
interface Held {
  proc: SandboxProcess;
  language: Language;
  runs: number;
  timer?: NodeJS.Timeout;
  /** When it was parked (idle or dormant): the least recently used goes first when room is needed. */
  since?: number;
}

interface Slot {
  /** Next process started, ready for a run. */
  idle: Held[];
  /** Served one run; no process until the owner's next run asks (see giveBack). */
  dormant: Held[];
  /** Sandboxes of this owner between a run and their next process. */
  recycling: Set<Held>;
  /** Runs waiting for one of those; given null when it failed (they then take a new sandbox). */
  waiters: Array<(held: Held | null) => void>;
}

interface Owner {
  slots: Map<Language, Slot>;
  /** Processes lent to runs (or being acquired). */
  lent: number;
  gone: boolean;
}

/**
 * A run's sandbox goes back to its owner only when the process ended by itself (never after a
 * kill: timeout, cancel, limits, internal error, a signal, OOM), and then through the process's
 * `recycle`, which checks that nothing of the run is left before the next process starts. The
 * recycle runs in the background; `take` decides when a run waits for it.
 */
export class OwnerAffinity implements Sandbox {
  private readonly owners = new Map<string, Owner>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly inner: Sandbox & { close(): Promise<void>; warm(language: Language): number; setReclaimer?(r: () => Promise<void> | null): void },
    private readonly options: AffinityOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    inner.setReclaimer?.(() => this.reclaim());
  }

  /**
   * Removes the least recently parked sandbox of any owner (idle or dormant; never one lent to a run or being
   * recycled), for a run that needs its room; null when none is parked. The owner's next run takes a new one.
   */
  reclaim(): Promise<void> | null {
    let oldest: { held: Held; list: Held[]; owner: string; state: Owner } | null = null;
    for (const [owner, state] of this.owners) {
      for (const slot of state.slots.values()) {
        for (const list of [slot.dormant, slot.idle]) {
          for (const held of list) if (!oldest || (held.since ?? 0) < (oldest.held.since ?? 0)) oldest = { held, list, owner, state };
        }
      }
    }
    if (!oldest) return null;
    oldest.list.splice(oldest.list.indexOf(oldest.held), 1);
    this.forgetIfEmpty(oldest.owner, oldest.state);
    return this.remove(oldest.held, 'reclaimed');
  }

  has(language: Language): Promise<boolean> {
    return this.inner.has(language);
  }

  reap(): Promise<number> {
    return this.inner.reap();
  }

  async start(language: Language, limits: SandboxLimits, labels: Record<string, string>, owner?: string): Promise<SandboxProcess> {
    if (owner === undefined || this.closed || !sameLimits(limits, this.options.limits)) return this.inner.start(language, limits, labels);
    const state = this.ownerOf(owner);
    state.lent++;
    try {
      const held = await this.take(owner, state, language);
      this.metrics.sandboxReuse.inc({ language, outcome: held ? 'hit' : 'miss' });
      return this.lend(owner, state, held ?? { proc: await this.inner.start(language, limits, labels), language, runs: 0 });
    } catch (err) {
      state.lent--;
      this.forgetIfEmpty(owner, state);
      throw err;
    }
  }

  /** Whether a sandbox is kept for `owner` (idle, waiting for its next process, or being made ready). */
  holds(owner: string): boolean {
    const state = this.owners.get(owner);
    if (!state || state.gone) return false;
    for (const slot of state.slots.values()) if (slot.idle.length + slot.dormant.length + slot.recycling.size > 0) return true;
    return false;
  }

  /** The owner is gone (its connection closed): its sandboxes are removed, now or when their runs end. */
  async forget(owner: string): Promise<void> {
    const state = this.owners.get(owner);
    if (!state) return;
    state.gone = true;
    const idle: Held[] = [];
    const recycling: Held[] = [];
    for (const slot of state.slots.values()) {
      idle.push(...slot.idle.splice(0), ...slot.dormant.splice(0));
      recycling.push(...slot.recycling);
      for (const w of slot.waiters.splice(0)) w(null);
    }
    this.forgetIfEmpty(owner, state);
    // Disposing a process being recycled aborts the recycle: nobody is left to use what it starts.
    await Promise.all([...idle.map((h) => this.remove(h, 'released')), ...recycling.map((h) => h.proc.dispose().catch(() => undefined))]);
  }

  /** Removes every held sandbox and closes the sandbox behind (runs in progress keep theirs until they end). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.owners.keys()].map((owner) => this.forget(owner)));
    await this.inner.close();
  }

  private ownerOf(owner: string): Owner {
    let state = this.owners.get(owner);
    if (!state) {
      state = { slots: new Map(), lent: 0, gone: false };
      this.owners.set(owner, state);
    }
    return state;
  }

  private slotOf(state: Owner, language: Language): Slot {
    let slot = state.slots.get(language);
    if (!slot) {
      slot = { idle: [], dormant: [], recycling: new Set(), waiters: [] };
      state.slots.set(language, slot);
    }
    return slot;
  }

  private forgetIfEmpty(owner: string, state: Owner): void {
    if (state.lent > 0) return;
    for (const slot of state.slots.values()) if (slot.idle.length + slot.dormant.length + slot.recycling.size > 0) return;
    if (this.owners.get(owner) === state) this.owners.delete(owner);
  }

  /**
   * The owner's idle process for `language`, if any (a dormant sandbox of the owner starts its
   * next process now, for this run or a later one). Else, for a run of an owner with other runs in
   * flight, one of the owner's being recycled: under load no run takes a new container while one
   * of its owner's is about to be free. A lone run takes a warm one of the sandbox behind if one is
   * ready now (its latency), else waits for the owner's; null: the sandbox behind.
   */
  private async take(owner: string, state: Owner, language: Language): Promise<Held | null> {
    const slot = this.slotOf(state, language);
    const held = slot.idle.pop();
    if (held) {
      clearTimeout(held.timer);
      return held;
    }
    const dormant = slot.dormant.pop();
    if (dormant) {
      clearTimeout(dormant.timer);
      this.recycle(owner, state, dormant);
    }
    const waitForOwn = state.lent > 1 || this.inner.warm(language) === 0;
    if (waitForOwn && slot.recycling.size > slot.waiters.length) return new Promise((resolve) => slot.waiters.push(resolve));
    return null;
  }

  /** The process as the run sees it: its `dispose` gives the sandbox back to the owner when it can. */
  private lend(owner: string, state: Owner, held: Held): SandboxProcess {
    const { proc } = held;
    let killed = false;
    let returned = false;
    let endedByItself = false;
    // Only a process that exited with a status of its own (not a signal's) hands its sandbox on.
    proc.exited.then((exit) => (endedByItself = exit.exitCode < 128), () => undefined);
    return delegating(proc, {
      kill: () => {
        killed = true;
        return proc.kill();
      },
      dispose: async () => {
        if (returned) return;
        returned = true;
        state.lent--;
        await this.giveBack(owner, state, held, killed || !endedByItself);
      },
    });
  }

  private async giveBack(owner: string, state: Owner, held: Held, abnormal: boolean): Promise<void> {
    const done = { ...held, runs: held.runs + 1 };
    const outcome = abnormal || !held.proc.recycle ? 'discarded' : done.runs >= this.options.maxRuns ? 'retired' : this.closed || state.gone ? 'released' : null;
    if (outcome) {
      try {
        await this.remove(done, outcome);
      } finally {
        this.forgetIfEmpty(owner, state);
      }
      return;
    }
    // After a sandbox's first run its owner may never come back (a CLI run, a page opened once):
    // it waits without a process, and is recycled only when the owner's next run asks for it.
    if (done.runs === 1) this.park(owner, state, done, 'dormant');
    else this.recycle(owner, state, done);
  }

  /** Starts the next process of `held`'s sandbox in the background; a run of the owner waiting for one gets it. */
  private recycle(owner: string, state: Owner, held: Held): void {
    const { language } = held;
    const slot = this.slotOf(state, language);
    slot.recycling.add(held);
    const recycling: Promise<void> = held
      .proc.recycle!()
      .then(
        (proc) => {
          this.metrics.sandboxRecycles.inc({ language, outcome: 'ok' });
          const next = { proc, language, runs: held.runs };
          if (this.closed || state.gone) return this.remove(next, 'released');
          const waiter = slot.waiters.shift();
          if (waiter) waiter(next);
          else this.park(owner, state, next, 'idle');
        },
        (err) => {
          const outcome = this.closed || state.gone ? 'released' : 'failed';
          this.metrics.sandboxRecycles.inc({ language, outcome });
          if (outcome === 'failed') this.logger.warn('sandbox not reused: removed', { language, sandbox: held.proc.id, err });
          slot.waiters.shift()?.(null);
        },
      )
      .finally(() => {
        slot.recycling.delete(held);
        this.inFlight.delete(recycling);
        this.forgetIfEmpty(owner, state);
      });
    this.inFlight.add(recycling);
  }

  /** Keeps `held` for the owner (idle: its next process ready; dormant: none yet) until its time is up. */
  private park(owner: string, state: Owner, held: Held, kind: 'idle' | 'dormant'): void {
    const list = this.slotOf(state, held.language)[kind];
    held.timer = setTimeout(() => {
      const i = list.indexOf(held);
      if (i < 0) return;
      list.splice(i, 1);
      this.forgetIfEmpty(owner, state);
      void this.remove(held, 'released');
    }, this.options.idleMs);
    held.timer.unref();
    held.since = performance.now();
    list.push(held);
  }

  private async remove(held: Held, outcome: string): Promise<void> {
    clearTimeout(held.timer);
    this.metrics.sandboxRecycles.inc({ language: held.language, outcome });
    await held.proc.dispose().catch((err) => this.logger.error('removing a sandbox failed', { sandbox: held.proc.id, err }));
  }
}
