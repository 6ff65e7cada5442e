/** Reassembles the tracer's length-prefixed frames (4-byte big-endian length + payload) from stdout chunks. */

export class FrameTooLarge extends Error {}

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (payload: Buffer) => void,
  ) {}

  /** Throws FrameTooLarge when a frame announces more than the cap (a broken or forged channel). */
  push(chunk: Buffer): void {
    let buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const size = buf.readUInt32BE(off);
      if (size > this.maxFrameBytes) throw new FrameTooLarge(`frame of ${size} bytes exceeds the ${this.maxFrameBytes}-byte cap`);
      if (buf.length - off - 4 < size) break;
      this.onFrame(buf.subarray(off + 4, off + 4 + size));
      off += 4 + size;
    }
    this.buf = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pendingBytes(): number {
    return this.buf.length;
  }
}
