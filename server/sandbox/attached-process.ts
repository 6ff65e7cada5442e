/** The stdio half of a Docker sandbox process (container attach or exec stream): stdin in; stdout and stderr out, in order, kept until read. */
import type { Duplex } from 'node:stream';
import { DockerDemuxer } from './docker-stream.ts';

export class AttachedProcess {
  /** Resolves at the process's first stdout chunk (the tracer's hello). */
  readonly ready: Promise<void>;
  /** Resolves once the stream is over: the last chunk was delivered (or the stream failed). */
  readonly ended: Promise<void>;
  private stdoutCb: ((chunk: Buffer) => void) | null = null;
  private stderrCb: ((chunk: Buffer) => void) | null = null;
  private early: Array<[1 | 2, Buffer]> = [];

  constructor(protected readonly stream: Duplex) {
    let signalReady: () => void;
    this.ready = new Promise((resolve) => (signalReady = resolve));
    const demux = new DockerDemuxer(
      (c) => {
        signalReady();
        if (this.stdoutCb) this.stdoutCb(c);
        else this.early.push([1, c]);
      },
      (c) => {
        if (this.stderrCb) this.stderrCb(c);
        else this.early.push([2, c]);
      },
    );
    this.ended = new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
  }

  onStdout(cb: (chunk: Buffer) => void): void {
    this.stdoutCb = cb;
    this.replay(1, cb);
  }

  onStderr(cb: (chunk: Buffer) => void): void {
    this.stderrCb = cb;
    this.replay(2, cb);
  }

  private replay(stream: 1 | 2, cb: (chunk: Buffer) => void): void {
    const mine = this.early.filter(([s]) => s === stream);
    this.early = this.early.filter(([s]) => s !== stream);
    for (const [, chunk] of mine) cb(chunk);
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  send(input: string): void {
    this.stream.write(input);
    this.stream.end();
  }

  write(input: string): void {
    this.stream.write(input);
  }
}
