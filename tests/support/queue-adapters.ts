/** The run-queue adapters the queue contract test runs besides the in-process one, each behind a factory. */
import type { QueueLimits, RunQueue } from '../../server/queue/queue.ts';

export type QueueFactory = (limits: QueueLimits) => Promise<{
  /** The queue a gateway submits to; `consumer` the one a runner takes from (the same object in-process). */
  producer: RunQueue;
  consumer: RunQueue;
  /** Whether producer and consumer are separate (cancel and onEnded must cross between them). */
  shared: boolean;
  cleanup: () => Promise<void>;
}>;

export function queueAdapters(): Array<[string, QueueFactory]> {
  return [];
}
