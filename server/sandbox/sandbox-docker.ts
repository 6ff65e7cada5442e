/** Sandbox adapter on a Docker engine (dockerode): locked-down containers, single-use or serving one owner run after run. */
import Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import type { Language } from '../../protocol/messages.ts';
import { AttachedProcess } from './attached-process.ts';
import { containerExit, killContainer, removeContainer, setMemory } from './docker-container.ts';
import { COMPILED_LANGUAGES, type Sandbox, type SandboxExit, type SandboxLimits, type SandboxProcess } from './sandbox.ts';
import { SUPERVISOR, SupervisedProcess } from './supervised-process.ts';

export interface DockerSandboxOptions {
  /** Image per language (content-addressed tags from sandbox-images/images.ts); a language without one is unsupported. */
  images: Partial<Record<Language, string>>;
  /** Every container carries `tracecast.runner=<runnerId>` so a restarted runner reaps its leftovers. */
  runnerId: string;
  /** And `tracecast.process=<processId>`, so that another runner on the engine can remove what a lost one left. */
  processId?: string;
  /**
   * Containers that can serve run after run: the main process is a supervisor (supervisor.sh) that
   * starts a fresh tracer per run (supervised-process.ts), whose `recycle` asks for the next.
   * Otherwise the tracer is the container's own process and the container serves one run.
   */
  reusable?: boolean;
  socketPath?: string;
}

const UID = '10001:10001';

export class DockerSandbox implements Sandbox {
  readonly docker: Docker;
  private readonly commands = new Map<string, Promise<string[]>>();

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

  /** Removes the containers of the runner processes `lost` (never this one's): what lost runners left on this engine. */
  async reapLost(lost: readonly string[]): Promise<number> {
    const others = new Set(lost.filter((p) => p !== this.options.processId));
    if (others.size === 0) return 0;
    // Several label filters are an AND in the engine's API: list every process's containers and pick here.
    const all = await this.docker.listContainers({ all: true, filters: { label: ['tracecast.process'] } });
    const left = all.filter((c) => others.has(c.Labels['tracecast.process']));
    await Promise.all(left.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return left.length;
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
    const memoryMb = compiled ? Math.max(limits.memoryMb, limits.compileMemoryMb) : limits.memoryMb;
    const memory = memoryMb * 1024 * 1024;
    const tmpfs: Record<string, string> = { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsMb}m,mode=1777` };
    // The compiled binary cannot run from the noexec /tmp.
    if (compiled) tmpfs['/sandbox'] = 'rw,exec,nosuid,nodev,size=64m,mode=1777';
    const image = this.options.images[language];
    if (!image) throw new Error(`no sandbox image for ${language}`);
    const reusable = this.options.reusable ?? false;
    const hostConfig: Docker.HostConfig = {
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
      // The runner reads the output over the attach stream. A log driver would make dockerd also encode and write
      // every byte of it to disk (Docker's default, json-file: a 1,000,000-step run's frames or a learner's output
      // flood, kept until the container is removed), CPU the tracer shares on a small host.
      LogConfig: { Type: 'none', Config: {} },
    };
    const common = { Image: image, WorkingDir: '/tmp', Tty: false, NetworkDisabled: true, Labels: { ...labels, 'tracecast.runner': this.options.runnerId, ...(this.options.processId ? { 'tracecast.process': this.options.processId } : {}) } };
    if (reusable) {
      const command = await this.commandOf(image);
      const container = await this.docker.createContainer({
        ...common,
        User: UID,
        Cmd: ['sh', '-c', SUPERVISOR, 'sh', ...command],
        OpenStdin: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          ...hostConfig,
          // System V objects are removed between runs (supervisor.sh); POSIX message queues cannot be listed, so none may exist.
          Sysctls: { 'fs.mqueue.queues_max': '0' },
        },
      });
      try {
        return await SupervisedProcess.start(container, memoryMb);
      } catch (err) {
        await removeContainer(container).catch(() => undefined);
        throw err;
      }
    }
    const container = await this.docker.createContainer({
      ...common,
      User: UID,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: hostConfig,
    });
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      await container.start();
      return new DockerProcess(container, stream);
    } catch (err) {
      await removeContainer(container).catch(() => undefined);
      throw err;
    }
  }

  /** The image's own command (its tracer), which a reusable container's runs execute. */
  private commandOf(image: string): Promise<string[]> {
    let command = this.commands.get(image);
    if (!command) {
      command = this.docker
        .getImage(image)
        .inspect()
        .then((info) => info.Config.Cmd ?? []);
      command.catch(() => this.commands.delete(image));
      this.commands.set(image, command);
    }
    return command;
  }
}

class DockerProcess extends AttachedProcess implements SandboxProcess {
  readonly id: string;
  readonly exited: Promise<SandboxExit>;
  private disposed = false;

  constructor(
    private readonly container: Docker.Container,
    stream: Duplex,
  ) {
    super(stream);
    this.id = container.id;
    this.exited = (async () => {
      try {
        const exit = await containerExit(container);
        // The attach stream may still hold the last chunks after the process exits.
        await Promise.race([this.ended, new Promise((r) => setTimeout(r, 1000))]);
        return exit;
      } catch (err) {
        // Disposed while its exit was awaited: it was killed, and nobody waits for how.
        if (this.disposed) return { exitCode: 128 + 9, oomKilled: false };
        throw err;
      }
    })();
  }

  async limitMemory(memoryMb: number): Promise<void> {
    await setMemory(this.container, memoryMb);
  }

  async kill(): Promise<void> {
    await killContainer(this.container, this.stream);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stream.destroy();
    await removeContainer(this.container);
  }
}
