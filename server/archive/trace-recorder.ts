/**
 * Keeps a run's frames as they were appended to the session log, in compressed chunks in the store.
 *
 * While the program runs, the frames are only held (up to HOLD_BYTES): packing a chunk, compressing it and the
 * embedded store's write are CPU on the machine whose cores the tracer needs (bench/scale, "the runner path"), and
 * the live stream and resume are served from the session log, not from here. Most runs' traces are under the
 * bound and are stored once the run is over; a longer one has its oldest chunks stored as it goes.
 */
import type { LogEntry } from '../log/log.ts';
import type { Store } from '../store/store.ts';
import { packChunk } from './trace-chunk.ts';

// Big enough for gzip to find the repetition between steps, small enough to bound what a reader unpacks at once.
const CHUNK_BYTES = 256 * 1024;
// What a run may hold unstored while it runs; past it, whole chunks are cut from the front.
const HOLD_BYTES = 2 * 1024 * 1024;

export class TraceRecorder {
  private pending: LogEntry[] = [];
  private pendingBytes = 0;
  private seq = 0;
  /** Chunks are written one after another, so `seq` order is also storage order. */
  private writing: Promise<void> = Promise.resolve();
  failure: Error | null = null;

  constructor(
    private readonly store: Store,
    private readonly run: string,
  ) {}

  add(frames: readonly Uint8Array[], ids: readonly string[]): void {
    for (let k = 0; k < frames.length; k++) {
      this.pending.push({ id: ids[k], frame: frames[k] });
      this.pendingBytes += frames[k].byteLength;
    }
    while (this.pendingBytes >= HOLD_BYTES) this.cut();
  }

  /** Stores what is held; resolves when every chunk is stored (or the first failure). */
  async finish(): Promise<void> {
    while (this.pending.length > 0) this.cut();
    await this.writing;
  }

  /** Queues the oldest held frames, CHUNK_BYTES of them (or all that is left), as the next chunk. */
  private cut(): void {
    let n = 0;
    let bytes = 0;
    while (n < this.pending.length && bytes < CHUNK_BYTES) bytes += this.pending[n++].frame.byteLength;
    const entries = this.pending.splice(0, n);
    this.pendingBytes -= bytes;
    const seq = this.seq++;
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await this.store.addTraceChunk({ run: this.run, seq, frames: entries.length, data: await packChunk(entries) });
      } catch (err) {
        this.failure = new Error(`storing trace chunk ${seq} of run ${this.run}: ${(err as Error).message}`);
      }
    });
  }
}
