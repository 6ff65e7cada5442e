/** Keeps a run's frames as they were appended to the session log, in compressed chunks in the store. */
import type { LogEntry } from '../log/log.ts';
import type { Store } from '../store/store.ts';
import { packChunk } from './trace-chunk.ts';

// Big enough for gzip to find the repetition between steps, small enough to bound what a run holds in memory.
const CHUNK_BYTES = 256 * 1024;

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
    if (this.pendingBytes >= CHUNK_BYTES) this.cut();
  }

  /** Stores what is left; resolves when every chunk is stored (or the first failure). */
  async finish(): Promise<void> {
    if (this.pending.length > 0) this.cut();
    await this.writing;
  }

  private cut(): void {
    const entries = this.pending;
    const seq = this.seq++;
    this.pending = [];
    this.pendingBytes = 0;
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
