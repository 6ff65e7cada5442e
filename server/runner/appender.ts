/** Appends a run's encoded frames to its session log in order, batching whatever piles up during a round trip. */
import type { SessionLog } from '../log/log.ts';

export class Appender {
  private pending: Uint8Array[] = [];
  /** Bytes pushed and not yet appended (pending + in flight): the runner stops reading the sandbox past a bound. */
  queuedBytes = 0;
  /** Called each time a batch has been appended. */
  onProgress: () => void = () => {};
  private draining: Promise<void> | null = null;
  /** The first append failure; frames after it are dropped and the run ends as internal_error. */
  failure: Error | null = null;

  constructor(
    private readonly log: SessionLog,
    private readonly session: string,
    /** The frames of each appended batch, with the positions the log gave them. */
    private readonly onAppended: (frames: Uint8Array[], ids: string[]) => void,
  ) {}

  push(frame: Uint8Array): void {
    // After a failure nothing more is appended: a drain started now would end before `draining` is assigned its
    // (already settled) promise, and flush() would wait on it for ever.
    if (this.failure) return;
    this.pending.push(frame);
    this.queuedBytes += frame.byteLength;
    if (!this.draining) this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.pending;
      this.pending = [];
      try {
        this.onAppended(batch, await this.log.append(this.session, batch));
      } catch (err) {
        this.failure = new Error(`appending ${batch.length} frames to session ${this.session}: ${(err as Error).message}`);
      }
      for (const f of batch) this.queuedBytes -= f.byteLength;
      this.onProgress();
    }
    this.draining = null;
  }

  /** Resolves when every pushed frame has been appended (or the log failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }
}
