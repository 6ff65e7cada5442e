/** The sandbox port: start an isolated process for one language and talk to it over stdio. */
import type { Language } from '../../protocol/messages.ts';
import { LANGUAGES, LANGUAGE_NAMES } from '../../protocol/languages.ts';

/** Hard limits enforced by the sandbox itself (the kernel), not by trusting the program. */
export interface SandboxLimits {
  memoryMb: number;
  /** A compiled language's sandbox starts with this much (g++ needs more than a program's usual limit), lowered to `memoryMb` before the program runs. */
  compileMemoryMb: number;
  cpus: number;
  pids: number;
  tmpfsMb: number;
}

export interface SandboxExit {
  /** The process's exit status; 128+n when killed by signal n. */
  exitCode: number;
  /** The kernel killed it for exceeding the memory limit. */
  oomKilled: boolean;
}

/**
 * One started sandbox running the tracer, blocked reading its job from stdin.
 * Contract: stdout and stderr chunks are delivered in order per stream; `exited`
 * resolves once, after the last chunk; `kill` is idempotent and safe after exit;
 * `kill` ends the process at once and drops output not yet delivered; `dispose`
 * removes every trace of the sandbox and must be called exactly once.
 */
export interface SandboxProcess {
  readonly id: string;
  /** Resolves at the process's first output (the tracer's hello: loaded, waiting for its job). */
  readonly ready: Promise<void>;
  /** Output that arrives before a callback is set is kept and delivered to it. */
  onStdout(cb: (chunk: Buffer) => void): void;
  onStderr(cb: (chunk: Buffer) => void): void;
  /** Stops / restarts reading the process's output (backpressure: a blocked writer inside waits). */
  pause(): void;
  resume(): void;
  /** Writes the job and closes stdin. */
  send(input: string): void;
  /** Writes to stdin and leaves it open (a compiled language's job: `send` follows once it is built). */
  write(input: string): void;
  /** Lowers (or raises) the sandbox's memory limit while it runs. */
  limitMemory(memoryMb: number): Promise<void>;
  readonly exited: Promise<SandboxExit>;
  kill(): Promise<void>;
  dispose(): Promise<void>;
  /**
   * Present where the sandbox can serve another run of the same owner. Called instead of `dispose`
   * after `exited` resolved on its own (never after `kill`): starts a fresh process in the same
   * sandbox, which first makes sure nothing of this one is left (no process, no file, no IPC object,
   * no OOM kill); resolves with it once its tracer is ready. Rejects when it cannot, after removing
   * the sandbox. This process is over either way; `dispose` while a recycle is under way aborts it
   * (the sandbox is removed, the recycle rejects).
   */
  recycle?(): Promise<SandboxProcess>;
}

/**
 * Resolves once the process's tracer said hello; rejects, with what it wrote on stderr meanwhile, if it exits first
 * or (with a timeout) takes longer.
 */
export async function untilReady(proc: SandboxProcess, timeoutMs?: number): Promise<void> {
  let stderr = '';
  proc.onStderr((c) => (stderr += c.toString('utf8')));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      proc.ready,
      proc.exited.then((exit) => Promise.reject(new Error(`the sandbox exited with ${exit.exitCode} before its tracer was ready: ${stderr.trim().slice(0, 300)}`))),
      ...(timeoutMs === undefined ? [] : [new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no tracer ready within ${timeoutMs} ms`)), timeoutMs)))]),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A process that forwards everything to `proc` but what `overrides` replaces (a wrapper that counts or intercepts
 * some calls); `recycle` only when given.
 */
export function delegating(proc: SandboxProcess, overrides: Partial<SandboxProcess>): SandboxProcess {
  return {
    get id() {
      return proc.id;
    },
    get ready() {
      return proc.ready;
    },
    get exited() {
      return proc.exited;
    },
    onStdout: (cb) => proc.onStdout(cb),
    onStderr: (cb) => proc.onStderr(cb),
    pause: () => proc.pause(),
    resume: () => proc.resume(),
    send: (input) => proc.send(input),
    write: (input) => proc.write(input),
    limitMemory: (mb) => proc.limitMemory(mb),
    kill: () => proc.kill(),
    dispose: () => proc.dispose(),
    ...overrides,
  };
}

/** Languages whose runtime compiles the program first, then waits for the runner's go (CHANNEL.md, `compiled`). */
export const COMPILED_LANGUAGES: ReadonlySet<Language> = new Set(LANGUAGE_NAMES.filter((l) => LANGUAGES[l].compiled));

export const sameLimits = (a: SandboxLimits, b: SandboxLimits): boolean =>
  a.memoryMb === b.memoryMb && a.compileMemoryMb === b.compileMemoryMb && a.cpus === b.cpus && a.pids === b.pids && a.tmpfsMb === b.tmpfsMb;

export interface Sandbox {
  /**
   * Creates and starts a sandbox (or hands out one started ahead); `labels` identify it to the
   * reaper. `owner` is the identity the run belongs to: an adapter may give a sandbox that served
   * an earlier run only to that run's owner, never to another.
   */
  start(language: Language, limits: SandboxLimits, labels: Record<string, string>, owner?: string): Promise<SandboxProcess>;
  /** Removes sandboxes a previous process of this runner left behind; returns how many. */
  reap(): Promise<number>;
  /** Whether a sandbox image for `language` is available. */
  has(language: Language): Promise<boolean>;
}

/** A gateway's sandbox: it starts none (its Runner only ends runs that never started). */
export const NO_SANDBOX: Sandbox = {
  start: () => Promise.reject(new Error('a gateway runs no sandboxes')),
  reap: async () => 0,
  has: async () => false,
};
