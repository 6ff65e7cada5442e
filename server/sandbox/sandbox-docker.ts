/** Sandbox adapter on a Docker engine (dockerode): one locked-down, single-use container per process. */
import Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import type { Language } from '../../protocol/messages.ts';
import { DockerDemuxer } from './docker-stream.ts';
import { COMPILED_LANGUAGES, type Sandbox, type SandboxExit, type SandboxLimits, type SandboxProcess } from './sandbox.ts';

export interface DockerSandboxOptions {
  /** Image per language (content-addressed tags from sandbox-images/images.ts); a language without one is unsupported. */
  images: Partial<Record<Language, string>>;
  /** Every container carries `tracecast.runner=<runnerId>` so a restarted runner reaps its leftovers. */
  runnerId: string;
  socketPath?: string;
}

const UID = '10001:10001';

export class DockerSandbox implements Sandbox {
  readonly docker: Docker;

  constructor(private readonly options: DockerSandboxOptions) {
    this.docker = new Docker({ socketPath: options.socketPath ?? '/var/run/docker.sock' });
  }

  async has(language: Language): Promise<boolean> {
    const image = this.options.images[language];
    if (!image) return false;
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async reap(): Promise<number> {
    const leftovers = await this.docker.listContainers({
      all: true,
      filters: { label: [`tracecast.runner=${this.options.runnerId}`] },
    });
    await Promise.all(leftovers.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return leftovers.length;
  }

  async start(language: Language, limits: SandboxLimits, labels: Record<string, string>): Promise<SandboxProcess> {
    const compiled = COMPILED_LANGUAGES.has(language);
    const memory = (compiled ? Math.max(limits.memoryMb, limits.compileMemoryMb) : limits.memoryMb) * 1024 * 1024;
    const tmpfs: Record<string, string> = { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsMb}m,mode=1777` };
    // The compiled binary cannot run from the noexec /tmp.
    if (compiled) tmpfs['/sandbox'] = 'rw,exec,nosuid,nodev,size=64m,mode=1777';
    const image = this.options.images[language];
    if (!image) throw new Error(`no sandbox image for ${language}`);
    const container = await this.docker.createContainer({
      Image: image,
      User: UID,
      WorkingDir: '/tmp',
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      NetworkDisabled: true,
      Labels: { ...labels, 'tracecast.runner': this.options.runnerId },
      HostConfig: {
        Memory: memory,
        MemorySwap: memory, // equal to Memory: no swap
        NanoCpus: Math.round(limits.cpus * 1e9),
        PidsLimit: limits.pids,
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Tmpfs: tmpfs,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
        AutoRemove: false, // the runner inspects OOMKilled after exit, then removes it
      },
    });
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      await container.start();
      return new DockerProcess(container, stream);
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
  }
}

class DockerProcess implements SandboxProcess {
  readonly id: string;
  readonly exited: Promise<SandboxExit>;
  readonly ready: Promise<void>;
  private stdoutCb: ((chunk: Buffer) => void) | null = null;
  private stderrCb: ((chunk: Buffer) => void) | null = null;
  private early: Array<[1 | 2, Buffer]> = [];
  private disposed = false;

  constructor(
    private readonly container: Docker.Container,
    private readonly stream: Duplex,
  ) {
    this.id = container.id;
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
    const ended = new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    this.exited = (async () => {
      try {
        await container.wait();
        // The attach stream may still hold the last chunks after the process exits.
        await Promise.race([ended, new Promise((r) => setTimeout(r, 1000))]);
        const info = await container.inspect();
        return { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled };
      } catch (err) {
        // Disposed while its exit was awaited: it was killed, and nobody waits for how.
        if (this.disposed) return { exitCode: 128 + 9, oomKilled: false };
        throw err;
      }
    })();
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

  async limitMemory(memoryMb: number): Promise<void> {
    const bytes = memoryMb * 1024 * 1024;
    await this.container.update({ Memory: bytes, MemorySwap: bytes });
  }

  async kill(): Promise<void> {
    // Output after a kill is discarded: dropping the stream now spares draining Docker's buffered backlog.
    this.stream.destroy();
    await this.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stream.destroy();
    await this.container.remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
}
