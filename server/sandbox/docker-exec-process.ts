/** A run's process in a reusable container: the tracer `docker exec`ed under fresh-process.sh, recycled into a fresh one after a clean exit. */
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AttachedProcess } from './attached-process.ts';
import { removeContainer, setMemory } from './docker-container.ts';
import type { SandboxExit, SandboxProcess } from './sandbox.ts';

const FRESH_PROCESS = readFileSync(new URL('./fresh-process.sh', import.meta.url), 'utf8');
const RUN_USER = '10001:10001';
// A recycled process's tracer normally says hello in tens of milliseconds; past this the container is given up.
const READY_TIMEOUT_MS = 15_000;
// dockerd may close an exec's stream a moment before it records the exit status.
const EXIT_STATUS_TRIES = 50;

/** The container a run's processes share, one after the other. */
export interface ReusableContainer {
  container: Docker.Container;
  /** The image's tracer command. */
  command: string[];
  /** The memory limit every process starts with (a compiled language's compile allowance). */
  startMemoryMb: number;
  /** The limit now: a compiled run lowers it before its program starts. */
  memoryMb: number;
}

export class ExecProcess extends AttachedProcess implements SandboxProcess {
  readonly id: string;
  readonly exited: Promise<SandboxExit>;
  /** Ended by itself, with a status that says nothing went wrong inside: the container may serve again. */
  private clean = false;
  private killed = false;
  /** Its run is over: disposed, or recycled into the next process. */
  private over = false;
  private removed = false;

  /** Starts the next process in `box`; its tracer is still loading (await `ready`). */
  static async start(box: ReusableContainer): Promise<ExecProcess> {
    if (box.memoryMb !== box.startMemoryMb) {
      await setMemory(box.container, box.startMemoryMb);
      box.memoryMb = box.startMemoryMb;
    }
    const exec = await box.container.exec({
      Cmd: ['sh', '-c', FRESH_PROCESS, 'sh', ...box.command],
      User: RUN_USER,
      WorkingDir: '/tmp',
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    return new ExecProcess(box, exec, stream);
  }

  private constructor(
    private readonly box: ReusableContainer,
    private readonly exec: Docker.Exec,
    stream: Duplex,
  ) {
    super(stream);
    this.id = box.container.id;
    this.exited = this.waitExit();
  }

  private async waitExit(): Promise<SandboxExit> {
    try {
      // fresh-process.sh kills whatever the program detached as soon as the tracer exits, so the stream ends with it.
      await this.ended;
      const exitCode = await this.exitStatus();
      if (exitCode !== null && exitCode < 128 && !this.killed) {
        this.clean = true;
        return { exitCode, oomKilled: false };
      }
      // Killed by a signal (or the status is unknown): the container is not reused. An exec'd process's OOM
      // kill does not set the container's OOMKilled flag: the cgroup's own count tells.
      const oomKilled = (await this.oomKills().catch(() => 0)) > 0;
      await this.box.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      return { exitCode: exitCode ?? 128 + 9, oomKilled };
    } catch (err) {
      // Disposed while its exit was awaited: it was killed, and nobody waits for how.
      if (this.over) return { exitCode: 128 + 9, oomKilled: false };
      throw err;
    }
  }

  private async exitStatus(): Promise<number | null> {
    for (let i = 0; i < EXIT_STATUS_TRIES; i++) {
      const info = await this.exec.inspect();
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  /** OOM kills in the container's memory cgroup so far (cgroup v2 `memory.events`, v1 `memory.oom_control`). */
  private async oomKills(): Promise<number> {
    const exec = await this.box.container.exec({
      Cmd: ['cat', '/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control'],
      User: '65534:65534',
      AttachStdout: true,
      AttachStderr: true,
    });
    const output = new AttachedProcess((await exec.start({ hijack: true, stdin: false })) as Duplex);
    let text = '';
    output.onStdout((c) => (text += c.toString('utf8')));
    await output.ended;
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  async limitMemory(memoryMb: number): Promise<void> {
    await setMemory(this.box.container, memoryMb);
    this.box.memoryMb = memoryMb;
  }

  async kill(): Promise<void> {
    this.killed = true;
    this.clean = false;
    this.stream.destroy();
    await this.box.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.over = true;
    this.stream.destroy();
    await removeContainer(this.box.container);
  }

  async recycle(): Promise<SandboxProcess> {
    if (this.over || !this.clean) {
      await this.dispose();
      throw new Error('the process did not end cleanly by itself');
    }
    this.over = true;
    try {
      const next = await ExecProcess.start(this.box);
      // Disposed meanwhile (the owner left): the container is gone, or goes now with the next process.
      if (this.removed) throw new Error('disposed while recycling');
      await ready(next);
      if (this.removed) throw new Error('disposed while recycling');
      return next;
    } catch (err) {
      await removeContainer(this.box.container).catch(() => undefined);
      throw err;
    }
  }
}

/** Resolves once the tracer said hello; rejects, with what the process wrote on stderr, if it exits first or takes too long. */
async function ready(proc: ExecProcess): Promise<void> {
  let stderr = '';
  proc.onStderr((c) => (stderr += c.toString('utf8')));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      proc.ready,
      proc.exited.then((exit) => Promise.reject(new Error(`the fresh process exited with ${exit.exitCode} before its tracer was ready: ${stderr.trim().slice(0, 300)}`))),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no tracer ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
