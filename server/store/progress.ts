/** How one graded attempt changes a user's progress at a problem: the rule every adapter applies (Postgres in one upsert, the same rule in SQL). */
import type { Attempt, Progress } from './store.ts';

/** Better solving run: faster, and on equal time the smaller peak memory (unknown memory counts as worst). */
export function betterRun(a: { wallMs: number; peakMemKb: number | null }, b: { wallMs: number; peakMemKb: number | null } | null): boolean {
  if (!b) return true;
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs;
  return (a.peakMemKb ?? Infinity) < (b.peakMemKb ?? Infinity);
}

export function foldAttempt(before: Progress | null, a: Attempt): Progress {
  const best = a.solved && betterRun(a, before?.best ?? null) ? { run: a.run, wallMs: a.wallMs, peakMemKb: a.peakMemKb } : (before?.best ?? null);
  return {
    user: a.user,
    problem: a.problem,
    name: a.name ?? before?.name ?? null,
    attempts: (before?.attempts ?? 0) + 1,
    bestPassed: Math.max(before?.bestPassed ?? 0, a.passed),
    total: a.total,
    firstSolvedAt: before?.firstSolvedAt ?? (a.solved ? a.at : null),
    best,
    lastAttemptAt: before && before.lastAttemptAt > a.at ? before.lastAttemptAt : a.at,
  };
}
