/** Reading stored traces back (replay), and their retention. */
import type { LogEntry } from '../log/log.ts';
import type { Store } from '../store/store.ts';
import { unpackChunk } from './trace-chunk.ts';

export class TraceArchive {
  constructor(private readonly store: Store) {}

  /** A run's trace is complete once the run is recorded (the runner stores the trace first). */
  async has(run: string): Promise<boolean> {
    return (await this.store.getRun(run)) !== null;
  }

  /** The run's log entries, in order, one stored chunk at a time. */
  async *entries(run: string): AsyncGenerator<LogEntry[]> {
    for (const chunk of await this.store.traceChunks(run)) yield await unpackChunk(chunk.data);
  }

  /** Removes traces stored longer ago than `retentionMs`; returns how many chunks went. */
  prune(retentionMs: number): Promise<number> {
    return this.store.deleteTracesBefore(new Date(Date.now() - retentionMs));
  }
}
