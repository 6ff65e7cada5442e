/** Splits Docker's multiplexed attach stream (8-byte headers: stream type, size) into stdout and stderr chunks. */

export class DockerDemuxer {
  private pending: Buffer | null = null;

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 8) {
      const size = buf.readUInt32BE(off + 4);
      if (buf.length - off - 8 < size) break;
      const payload = buf.subarray(off + 8, off + 8 + size);
      if (buf[off] === 2) this.onStderr(payload);
      else this.onStdout(payload);
      off += 8 + size;
    }
    this.pending = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
  }
}
