/** The stdio half of a Docker sandbox process: stdin in; stdout and stderr out, in order, kept until read. */
import type { Duplex } from 'node:stream';
import { DockerDemuxer } from './docker-stream.ts';

/** A process's stdout and stderr as delivered to the runner: chunks that arrive before a callback is set are kept for it. */
export class ProcessOutput {
  /** Resolves at the process's first stdout chunk (the tracer's hello). */
  readonly ready: Promise<void>;
  private signalReady!: () => void;
  private stdoutCb: ((chunk: Buffer) => void) | null = null;
  private stderrCb: ((chunk: Buffer) => void) | null = null;
  private early: Array<[1 | 2, Buffer]> = [];

  constructor() {
    this.ready = new Promise((resolve) => (this.signalReady = resolve));
  }

  stdout(chunk: Buffer): void {
    this.signalReady();
    if (this.stdoutCb) this.stdoutCb(chunk);
    else this.early.push([1, chunk]);
  }

  stderr(chunk: Buffer): void {
    if (this.stderrCb) this.stderrCb(chunk);
    else this.early.push([2, chunk]);
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
}

/** A process on a container's attach stream: its output, its stdin, reading paused and resumed. */
export class AttachedProcess {
  readonly ready: Promise<void>;
  /** Resolves once the stream is over: the last chunk was delivered (or the stream failed). */
  readonly ended: Promise<void>;
  private readonly output = new ProcessOutput();

  constructor(protected readonly stream: Duplex) {
    this.ready = this.output.ready;
    const demux = new DockerDemuxer(
      (c) => this.output.stdout(c),
      (c) => this.output.stderr(c),
    );
    this.ended = new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
  }

  onStdout(cb: (chunk: Buffer) => void): void {
    this.output.onStdout(cb);
  }

  onStderr(cb: (chunk: Buffer) => void): void {
    this.output.onStderr(cb);
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
