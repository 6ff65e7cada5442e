/** Reading stored traces back (replay), and their retention. */
import type { LogEntry } from '../log/log.ts';
import type { Store } from '../store/store.ts';
import { unpackChunk } from './trace-chunk.ts';

// About 2 MiB of frames per read (chunks hold ~256 KiB before compression).
const CHUNKS_PER_READ = 8;

export class TraceArchive {
  constructor(private readonly store: Store) {}

  /** A run's trace is complete once the run is recorded (the runner stores the trace first). */
  async has(run: string): Promise<boolean> {
    return (await this.store.getRun(run)) !== null;
  }

  /** The run's log entries, in order, one stored chunk at a time; a long trace is read a page of chunks at a time. */
  async *entries(run: string): AsyncGenerator<LogEntry[]> {
    for (let fromSeq = 0; ; fromSeq += CHUNKS_PER_READ) {
      const chunks = await this.store.traceChunks(run, { fromSeq, limit: CHUNKS_PER_READ });
      for (const chunk of chunks) yield await unpackChunk(chunk.data);
      if (chunks.length < CHUNKS_PER_READ) return;
    }
  }

  /** Removes traces stored longer ago than `retentionMs`; returns how many chunks went. */
  prune(retentionMs: number): Promise<number> {
    return this.store.deleteTracesBefore(new Date(Date.now() - retentionMs));
  }
}
