/** A run's process in a reusable container: the tracer the container's supervisor (supervisor.sh) starts per run, recycled into a fresh one after a clean exit. */
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { ProcessOutput } from './attached-process.ts';
import { containerExit, killContainer, removeContainer, setMemory } from './docker-container.ts';
import { DockerDemuxer } from './docker-stream.ts';
import { paths } from '../paths.ts';
import { untilReady, type SandboxExit, type SandboxProcess } from './sandbox.ts';

export const SUPERVISOR = readFileSync(paths.supervisor, 'utf8');
// A fresh process's tracer normally says hello in tens of milliseconds; past this the container is given up.
const READY_TIMEOUT_MS = 15_000;
// supervisor.sh's records on stdout (a run's start and its end) begin with this length, over any frame's cap.
const END_MARK = 0xffffffff;
const MARK_BYTES = Buffer.from([0xff, 0xff, 0xff, 0xff]);

/** The container and its one attach stream, shared by its runs' processes one after the other. */
interface Supervised {
  container: Docker.Container;
  stream: Duplex;
  /** The memory limit every run starts with (a compiled language's compile allowance). */
  startMemoryMb: number;
  /** The limit now: a compiled run lowers it before its program starts. */
  memoryMb: number;
  /** The process whose run the supervisor is serving (the stream's output is its). */
  current: SupervisedProcess;
  /** The stream is over: the container stopped, or was killed or removed. */
  gone: boolean;
}

export class SupervisedProcess implements SandboxProcess {
  readonly id: string;
  readonly ready: Promise<void>;
  readonly exited: Promise<SandboxExit>;
  private readonly output = new ProcessOutput();
  private readonly token = nanoid(24);
  private readonly stderrMark: Buffer;
  private readonly startRecord: Buffer;
  private started = false;
  private settle!: (exit: SandboxExit) => void;
  /** Stdout bytes left in the frame being passed through (header included), and a header split across chunks. */
  private skip = 0;
  private heldStdout: Buffer | null = null;
  /** The end record's text so far, once its mark was seen. */
  private record: string | null = null;
  private heldStderr: Buffer | null = null;
  private stderrOver = false;
  /** From the end record: once set, this process's stdout is over. */
  private status: { exitCode: number; oom: boolean } | null = null;
  private killed = false;
  /** Its run is over: disposed, or recycled into the next process. */
  private over = false;
  private removed = false;

  /** Attaches to a created (not started) container whose command is the supervisor, starts it and asks for the first run's process. */
  static async start(container: Docker.Container, memoryMb: number): Promise<SupervisedProcess> {
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
    const box = { container, stream, startMemoryMb: memoryMb, memoryMb, gone: false } as Supervised;
    const first = new SupervisedProcess(box);
    box.current = first;
    const demux = new DockerDemuxer(
      (c) => box.current.fromStdout(c),
      (c) => box.current.fromStderr(c),
    );
    const gone = () => {
      if (box.gone) return;
      box.gone = true;
      void box.current.containerGone();
    };
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.on('end', gone);
    stream.on('close', gone);
    stream.on('error', gone);
    await container.start();
    first.request();
    return first;
  }

  private constructor(private readonly box: Supervised) {
    this.id = box.container.id;
    this.ready = this.output.ready;
    this.stderrMark = Buffer.from(`\x1e${this.token}\n`, 'latin1');
    this.startRecord = Buffer.concat([MARK_BYTES, Buffer.from(`${this.token}\n`, 'latin1')]);
    this.exited = new Promise((resolve) => (this.settle = resolve));
  }

  /** Asks the supervisor for this process: it checks that nothing of the previous run is left, then starts the tracer. */
  private request(): void {
    this.box.stream.write(`run ${this.token}\n`);
  }

  /**
   * Checks the supervisor's start record (this process's token: the tracer after it is the one this request
   * started, not one started by a request a program wrote into the supervisor's stdin), then passes the
   * tracer's frames through until the end record, following frame lengths so no frame is mistaken for it.
   */
  private fromStdout(chunk: Buffer): void {
    if (this.status) return;
    if (this.record !== null) return this.recordText(chunk);
    let buf = this.heldStdout ? Buffer.concat([this.heldStdout, chunk]) : chunk;
    this.heldStdout = null;
    if (!this.started) {
      const n = Math.min(buf.length, this.startRecord.length);
      if (!buf.subarray(0, n).equals(this.startRecord.subarray(0, n))) return void this.kill();
      if (n < this.startRecord.length) {
        this.heldStdout = Buffer.from(buf);
        return;
      }
      this.started = true;
      buf = buf.subarray(n);
    }
    let pos = 0;
    for (;;) {
      if (this.skip >= buf.length - pos) {
        this.skip -= buf.length - pos;
        pos = buf.length;
        break;
      }
      pos += this.skip;
      this.skip = 0;
      if (buf.length - pos < 4) break;
      const size = buf.readUInt32BE(pos);
      if (size === END_MARK) {
        if (pos > 0) this.output.stdout(buf.subarray(0, pos));
        this.record = '';
        return this.recordText(buf.subarray(pos + 4));
      }
      this.skip = 4 + size;
    }
    if (pos > 0) this.output.stdout(buf.subarray(0, pos));
    if (pos < buf.length) this.heldStdout = Buffer.from(buf.subarray(pos));
  }

  private recordText(bytes: Buffer): void {
    const record = (this.record ?? '') + bytes.toString('latin1');
    this.record = record;
    const expected = `${this.token} `;
    if (!(record.length < expected.length ? expected.startsWith(record) : record.startsWith(expected))) {
      // The program wrote the mark itself (it has no token): hand the bytes on as they are, a length over the
      // frame cap, so the runner ends the run as it does for any broken channel; nothing after is a record.
      this.record = null;
      this.skip = Infinity;
      this.output.stdout(Buffer.concat([MARK_BYTES, Buffer.from(record, 'latin1')]));
      return;
    }
    const nl = record.indexOf('\n');
    if (nl < 0) return;
    const [, status, oom] = record.slice(0, nl).split(' ');
    this.status = { exitCode: Number(status), oom: oom === '1' };
    this.maybeEnded();
  }

  /** Passes the run's stderr through until the supervisor's mark, which follows the run's last byte there. */
  private fromStderr(chunk: Buffer): void {
    if (this.stderrOver) return;
    const buf = this.heldStderr ? Buffer.concat([this.heldStderr, chunk]) : chunk;
    this.heldStderr = null;
    const at = buf.indexOf(this.stderrMark);
    if (at >= 0) {
      if (at > 0) this.output.stderr(buf.subarray(0, at));
      this.stderrOver = true;
      this.maybeEnded();
      return;
    }
    // Keep back a tail that could be the start of the mark, split across chunks.
    let keep = buf.lastIndexOf(0x1e, buf.length - 1);
    if (keep < buf.length - this.stderrMark.length || !this.stderrMark.subarray(0, buf.length - keep).equals(buf.subarray(keep))) keep = buf.length;
    if (keep > 0) this.output.stderr(buf.subarray(0, keep));
    if (keep < buf.length) this.heldStderr = Buffer.from(buf.subarray(keep));
  }

  private maybeEnded(): void {
    if (this.status && this.stderrOver) this.settle({ exitCode: this.status.exitCode, oomKilled: this.status.oom });
  }

  /** Ended by itself, with a status that says nothing went wrong inside, and its container still up: it may serve again. */
  private get clean(): boolean {
    const s = this.status;
    return s !== null && this.stderrOver && s.exitCode < 128 && !s.oom && !this.killed && !this.box.gone;
  }

  /** The container stopped (its supervisor exited, it was killed): the run is over without a record. */
  private async containerGone(): Promise<void> {
    if (this.status && this.stderrOver) return;
    try {
      const exit = await containerExit(this.box.container);
      this.settle(this.killed ? { ...exit, exitCode: 128 + 9 } : exit);
    } catch {
      // Removed meanwhile: it was killed or disposed, and nobody waits for how.
      this.settle({ exitCode: 128 + 9, oomKilled: false });
    }
  }

  onStdout(cb: (chunk: Buffer) => void): void {
    this.output.onStdout(cb);
  }

  onStderr(cb: (chunk: Buffer) => void): void {
    this.output.onStderr(cb);
  }

  pause(): void {
    this.box.stream.pause();
  }

  resume(): void {
    this.box.stream.resume();
  }

  /** The tracers read their job (and a compiled language's `go`) as one line each: stdin stays open for the next run. */
  send(input: string): void {
    this.box.stream.write(input);
  }

  write(input: string): void {
    this.box.stream.write(input);
  }

  async limitMemory(memoryMb: number): Promise<void> {
    await setMemory(this.box.container, memoryMb);
    this.box.memoryMb = memoryMb;
  }

  async kill(): Promise<void> {
    this.killed = true;
    await killContainer(this.box.container, this.box.stream);
  }

  async dispose(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.over = true;
    this.box.stream.destroy();
    await removeContainer(this.box.container);
  }

  async recycle(): Promise<SandboxProcess> {
    if (this.over || !this.clean) {
      await this.dispose();
      throw new Error('the process did not end cleanly by itself');
    }
    this.over = true;
    const next = new SupervisedProcess(this.box);
    try {
      if (this.box.memoryMb !== this.box.startMemoryMb) {
        await setMemory(this.box.container, this.box.startMemoryMb);
        this.box.memoryMb = this.box.startMemoryMb;
      }
      // Disposed meanwhile (the owner left): the container is gone, or goes now.
      if (this.removed) throw new Error('disposed while recycling');
      this.box.current = next;
      this.box.stream.resume();
      next.request();
      await untilReady(next, READY_TIMEOUT_MS);
      if (this.removed) throw new Error('disposed while recycling');
      return next;
    } catch (err) {
      this.box.stream.destroy();
      await removeContainer(this.box.container).catch(() => undefined);
      throw err;
    }
  }
}
