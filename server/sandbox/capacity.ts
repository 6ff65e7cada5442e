/** The host's sandbox memory budget: every live sandbox commits its memory limit until it is removed. */
import os from 'node:os';
import type { Language } from '../../protocol/index.ts';
import { COMPILED_LANGUAGES, delegating, type SandboxLimits, type SandboxProcess } from './sandbox.ts';

/** Share of the host's memory sandboxes may commit by default; the rest is the server's, the engine's, Redis's, Postgres's. */
export const DEFAULT_BUDGET_SHARE = 0.8;

export const defaultBudgetMb = (): number => Math.floor((os.totalmem() / (1024 * 1024)) * DEFAULT_BUDGET_SHARE);

/** What one sandbox of `language` commits: its memory limit (a compiled language's starts with the compile allowance). */
export const commitOf = (language: Language, limits: SandboxLimits): number =>
  COMPILED_LANGUAGES.has(language) ? Math.max(limits.memoryMb, limits.compileMemoryMb) : limits.memoryMb;

/**
 * Counts committed memory against the budget. A sandbox commits when its start is decided (before the engine is
 * asked) and releases once, when it is removed — through `track`'s wrapper, whichever of dispose or a failed
 * recycle removes it. Only memory limits are counted, not what sandboxes use: the budget is what the host could be
 * asked for if every sandbox used its limit, so "full" means the next sandbox could overcommit the host.
 */
export class Capacity {
  private committed = 0;
  private readonly listeners: Array<() => void> = [];

  constructor(readonly budgetMb: number) {}

  get committedMb(): number {
    return this.committed;
  }

  /** Whether `mb` more fits now. */
  fits(mb: number): boolean {
    return this.committed + mb <= this.budgetMb;
  }

  /** How many sandboxes of `mb` the whole budget holds (for what a class reservation can get at most). */
  holds(mb: number): number {
    return Math.floor(this.budgetMb / mb);
  }

  commit(mb: number): void {
    this.committed += mb;
  }

  release(mb: number): void {
    this.committed -= mb;
    for (const cb of this.listeners) cb();
  }

  /** Called after every release (room may have appeared). */
  onRelease(cb: () => void): void {
    this.listeners.push(cb);
  }

  /**
   * The process as its users see it, releasing `mb` once when its sandbox is removed: on `dispose`, or when a
   * `recycle` fails (which removes the sandbox); a successful recycle hands the commitment on to the next process.
   */
  track(proc: SandboxProcess, mb: number, lease = { released: false }): SandboxProcess {
    const release = () => {
      if (lease.released) return;
      lease.released = true;
      this.release(mb);
    };
    const tracked = delegating(proc, { dispose: () => proc.dispose().finally(release) });
    if (proc.recycle) {
      tracked.recycle = () =>
        proc.recycle!().then(
          (next) => this.track(next, mb, lease),
          (err) => {
            release();
            throw err;
          },
        );
    }
    return tracked;
  }
}
