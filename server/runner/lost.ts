/** Ends a run whose runner was lost after it started: the one `run.ended` its watchers get, and its record. */
import { encode } from '../../protocol/index.ts';
import type { SessionLog } from '../log/log.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { QueuedRun } from '../queue/queue.ts';
import type { Store } from '../store/store.ts';

export interface LostDeps {
  log: SessionLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  /** How long a runner goes unheard before it counts as lost (named in the error). */
  lostAfterMs: number;
}

/**
 * `run.ended` with verdict `internal_error`, an error naming the lost runner, and what is known: the time since
 * it was submitted, no peak memory, and 0 steps (how many the lost runner appended is in the log, not known here).
 * Its stored trace is whatever the lost runner had not stored: none, so the run cannot be replayed.
 */
export async function endLostRun(deps: LostDeps, job: QueuedRun, runner: string): Promise<void> {
  const error = {
    type: 'RunnerLost',
    message: `runner ${runner} was lost while running this program (no sign of it for ${Math.round(deps.lostAfterMs / 1000)} s); its output up to then was delivered`,
    line: null,
  };
  const wallMs = Math.max(0, Date.now() - job.submittedAt);
  await deps.log.append(job.session, [encode({ type: 'run.ended', session: job.session, run: job.run, verdict: 'internal_error', wallMs, peakMemKb: null, steps: 0, error })]);
  deps.metrics.runs.inc({ verdict: 'internal_error', language: job.language });
  await deps.store
    .recordRun({ id: job.run, session: job.session, language: job.language, code: job.code, verdict: 'internal_error', wallMs, peakMemKb: null, steps: 0, error, createdAt: new Date(), test: null })
    .catch((err) => deps.logger.error('recording a lost run failed', { run: job.run, err }));
}
