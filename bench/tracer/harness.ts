/**
 * Runs one tracer job in a sandbox (server/sandbox/sandbox-docker.ts) and times it from the job sent to the `end`
 * frame; afterwards re-encodes the `steps` frames the way clients receive them to count bytes on the wire.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { encode, withPosition } from '../../protocol/codec.ts';
import type { Language as AnyLanguage } from '../../protocol/index.ts';
import { compactSteps } from '../../protocol/steps-wire.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';
import type { Step } from '../../protocol/trace.ts';
import { imageTag } from '../../sandbox-images/images.ts';
import { loadConfig } from '../../server/config.ts';
import { DockerSandbox } from '../../server/sandbox/sandbox-docker.ts';
import type { SandboxLimits, SandboxProcess } from '../../server/sandbox/sandbox.ts';

/** The line-tracing languages this bench compares (C++ has only the viz API). */
export type Language = Exclude<AnyLanguage, 'cpp'>;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BASELINE_DIR = path.join(HERE, 'baseline');
export const PROFILE_DIR = path.join(HERE, 'profile');

/** The server's defaults (TRACECAST_MEMORY_MB, TRACECAST_CPUS, …): both tracers get exactly these. */
const config = loadConfig({});
export const LIMITS: SandboxLimits = {
  memoryMb: config.limits.memoryMb,
  compileMemoryMb: config.limits.compileMemoryMb,
  cpus: config.limits.cpus,
  pids: config.limits.pids,
  tmpfsMb: config.limits.tmpfsMb,
};
const MAX_FRAME = config.limits.maxFrameBytes;

/** The job exactly as server/runner/runner.ts writes it. */
export function jobFor(code: string, extra: Record<string, unknown> = {}): string {
  return (
    JSON.stringify({
      code,
      stdin: [],
      maxSteps: config.limits.maxSteps,
      maxOutputBytes: config.limits.outputBytes,
      maxItems: 100,
      maxString: 1000,
      keyframeEvery: config.limits.keyframeEvery,
      full: false,
      batchSteps: config.limits.batchSteps,
      ...extra,
    }) + '\n'
  );
}

let imageTags: Record<Language, string> | null = null;
/** Fixes the image tags for the whole bench (the ones just built): the tracer files may change while it runs. */
export function useImages(tags: Record<Language, string>): void {
  imageTags = { ...tags };
}
export const images = (): Record<Language, string> => (imageTags ??= { python: imageTag('python'), javascript: imageTag('javascript') });

/**
 * Every tracer runs under a small shell: the tracer as its child (stdin handed over), SIGUSR1 to the container
 * kills the tracer (how a run is stopped at the time cap), and after the tracer ends the shell's `times` prints its
 * CPU time (user, sys) on stderr — a measure the load of the machine does not inflate.
 */
export const withTimes = (cmd: string): string[] => [
  'sh',
  '-c',
  `exec 3<&0; ${cmd} <&3 3<&- & c=$!; exec 3<&-; trap 'kill -KILL $c 2>/dev/null' USR1; wait $c; wait $c 2>/dev/null; times >&2`,
];

/**
 * A command in the sandbox image, same container options as the server's: the real adapter (DockerSandbox) with
 * its createContainer call amended by bind mounts (`host:container[:ro]`) and the command `cmd`.
 */
export function mountedSandbox(runnerId: string, binds: string[], cmd: Record<Language, string[]>): DockerSandbox {
  const sandbox = new DockerSandbox({ images: images(), runnerId });
  const docker = sandbox.docker;
  const create = docker.createContainer.bind(docker);
  docker.createContainer = ((opts: Docker.ContainerCreateOptions) => {
    const lang: Language = String(opts.Image).startsWith('tracecast/python') ? 'python' : 'javascript';
    return create({ ...opts, Cmd: cmd[lang], HostConfig: { ...opts.HostConfig, ...(binds.length ? { Binds: binds } : {}) } });
  }) as typeof docker.createContainer;
  return sandbox;
}

/** tracecast's tracer: the image's own command (sandbox-images/<lang>/Dockerfile CMD), through the real adapter. */
export function ourSandbox(runnerId: string): DockerSandbox {
  return mountedSandbox(runnerId, [], {
    python: withTimes('python3 -u /opt/tracecast/tracer.py'),
    javascript: withTimes('node /opt/tracecast/tracer.mjs'),
  });
}

export function baselineSandbox(runnerId: string): DockerSandbox {
  return mountedSandbox(runnerId, [`${BASELINE_DIR}:/opt/bench:ro`], {
    python: withTimes('python3 -u /opt/bench/settrace_full.py'),
    javascript: withTimes('node /opt/bench/full-snapshot.mjs'),
  });
}

/** The tracer process's CPU ms (user + sys) from `times` (second line: children), or NaN. */
export function parseTimes(stderr: string): number {
  const lines = stderr.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? '');
  if (!m) return NaN;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

/**
 * CPU ns a container has used, from its cgroup (v1 cpuacct or v2 cpu.stat, Docker's cgroupfs or systemd layout);
 * NaN when none is readable here. Read at the job and at its end, it leaves out the interpreter's start-up and exit,
 * whose CPU varies by tens of ms between runs (JIT and GC threads) and swamped short jobs in the `times` figure.
 */
export function containerCpuNs(id: string): number {
  const v1 = [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`];
  for (const f of v1) {
    try {
      return Number(readFileSync(f, 'utf8').trim());
    } catch {
      /* next layout */
    }
  }
  for (const f of [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, `/sys/fs/cgroup/docker/${id}/cpu.stat`]) {
    try {
      const m = /^usage_usec (\d+)$/m.exec(readFileSync(f, 'utf8'));
      if (m) return Number(m[1]) * 1000;
    } catch {
      /* next layout */
    }
  }
  return NaN;
}

/** A started sandbox whose program said hello (blocked reading its job), as the warm pool keeps them. */
export async function startReady(sandbox: DockerSandbox, language: Language, labels: Record<string, string> = { 'tracecast.bench': 'tracer' }): Promise<SandboxProcess> {
  const proc = await sandbox.start(language, LIMITS, labels);
  try {
    await Promise.race([
      proc.ready,
      proc.exited.then(() => Promise.reject(new Error('sandbox exited before its hello'))),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no hello within 30 s')), 30_000)),
    ]);
  } catch (err) {
    await proc.dispose().catch(() => undefined);
    throw err;
  }
  return proc;
}

/** Starts `n` sandboxes, at most `concurrency` at once; resolves when all are ready. */
export async function prestart(sandbox: DockerSandbox, language: Language, n: number, concurrency = 4): Promise<SandboxProcess[]> {
  const out: SandboxProcess[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        next++;
        out.push(await startReady(sandbox, language));
      }
    }),
  );
  return out;
}

export async function discard(proc: SandboxProcess): Promise<void> {
  await proc.kill();
  await proc.exited.catch(() => undefined);
  await proc.dispose();
}

export interface RunResult {
  status: string;
  steps: number;
  /** job sent → `end` frame (or → the cap when `capped`). */
  ms: number;
  /** job sent → the first `steps` frame. */
  firstStepMs: number;
  peakRssKb: number | null;
  /** Stopped at the time cap: `steps` and `ms` describe the prefix received. */
  capped: boolean;
  /** CPU ms (user + sys) of the whole tracer process, start-up included (to the cap when capped; NaN if unknown). */
  cpuMs: number;
  /** CPU ms the container used from the job sent to the `end` frame (or the cap), from its cgroup; NaN if unreadable. */
  jobCpuMs: number;
  /** Wire bytes of the `steps` frames as clients receive them (only with `wire`). */
  wireBytes?: number;
  /** Tracer-channel JSON bytes of the `steps` frames (only with `wire`). */
  channelBytes?: number;
  /** µs per step the runner spends on those frames after JSON.parse: validating (expanding the compact channel form), compacting, encoding (only with `wire`). */
  encodeUsPerStep?: number;
  end?: Record<string, unknown>;
}

const STEPS_PREFIX = Buffer.from('{"t":"steps"');

/**
 * The channel's framing (4-byte big-endian length + payload), like server/runner/frame-reader.ts but joining a
 * frame's chunks once, when it is complete: the baseline's frames reach 512 KiB and arrive in ≤32 KiB pieces, and
 * the host's copying must not slow the tracer it measures.
 */
class ChunkedFrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private need = -1;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (payload: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.length < 4) return;
        const head = this.take(4);
        this.need = head.readUInt32BE(0);
        if (this.need > this.maxFrameBytes) throw new Error(`frame of ${this.need} bytes exceeds ${this.maxFrameBytes}`);
      }
      if (this.length < this.need) return;
      const payload = this.take(this.need);
      this.need = -1;
      this.onFrame(payload);
    }
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}

/**
 * How `steps` frames go on the wire: `compact` as server/runner/runner.ts makes them (`{type:'steps', session, run,
 * first, steps}` from compactSteps); `full` with every step as a plain map, the form a full-snapshot tracer would send.
 */
export type WireForm = 'compact' | 'full';

/**
 * Steps frames count and wire size: each frame encoded in `form`, stamped with `pos` as the gateway does; and the
 * time the encoding takes, as the fastest of a few passes: the runner is a long-lived process, so the first pass's
 * compiling of the encoder is not its cost.
 */
export function wireSize(payloads: Buffer[], form: WireForm): { steps: number; wireBytes: number; channelBytes: number; encodeUsPerStep: number } {
  const session = 'Uakgb_J5m9g-';
  const run = 'V1StGXR8_Z5j';
  let steps = 0;
  let wireBytes = 0;
  let channelBytes = 0;
  let bestMs = Infinity;
  const ms = Date.now();
  for (let pass = 0; pass < 3; pass++) {
    let encodeMs = 0;
    let seq = 0;
    for (const p of payloads) {
      const parsed: unknown = JSON.parse(p.toString('utf8'));
      const t = performance.now();
      const frame = parseTracerFrame(parsed) as { steps: Step[] };
      const bytes = encode(form === 'compact' ? { type: 'steps', session, run, ...compactSteps(frame.steps) } : { type: 'steps', session, run, steps: frame.steps });
      encodeMs += performance.now() - t;
      if (pass > 0) continue;
      steps += frame.steps.length;
      channelBytes += p.length + 4;
      wireBytes += withPosition(bytes, `${ms}-${seq++}`).length;
    }
    bestMs = Math.min(bestMs, encodeMs);
  }
  return { steps, wireBytes, channelBytes, encodeUsPerStep: (bestMs * 1000) / steps };
}

/**
 * Sends `job` to a ready sandbox and times it to the `end` frame; disposes the sandbox. At `capMs` the run is
 * stopped (`sandbox` given: SIGUSR1, so the wrapper still reports CPU; else killed) and the prefix counted.
 */
export async function runJob(proc: SandboxProcess, job: string, opts: { capMs: number; wire?: WireForm; sandbox?: DockerSandbox }): Promise<RunResult> {
  try {
    const payloads: Buffer[] = [];
    let firstStep = 0;
    let end: Record<string, unknown> | null = null;
    let stderr = '';
    let resolveEnd!: () => void;
    const ended = new Promise<void>((r) => (resolveEnd = r));
    let tEnd = 0;
    let cpuEnd = NaN;
    let capped = false;
    const reader = new ChunkedFrameReader(MAX_FRAME, (payload) => {
      if (capped) return;
      if (payload.subarray(0, STEPS_PREFIX.length).equals(STEPS_PREFIX)) {
        if (firstStep === 0) firstStep = performance.now();
        // Kept as is: parsed and re-encoded after the run, so the host does no per-step work while the tracer runs.
        payloads.push(Buffer.from(payload));
        return;
      }
      const frame = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (frame.t === 'end') {
        tEnd = performance.now();
        cpuEnd = containerCpuNs(proc.id);
        end = frame;
        resolveEnd();
      }
    });
    proc.onStdout((chunk) => reader.push(chunk));
    proc.onStderr((chunk) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    void proc.exited.then(() => setTimeout(resolveEnd, 200)).catch(() => undefined);
    const cpu0 = containerCpuNs(proc.id);
    const t0 = performance.now();
    proc.send(job);
    const cap = setTimeout(() => {
      capped = true;
      tEnd = performance.now();
      cpuEnd = containerCpuNs(proc.id);
      resolveEnd();
    }, opts.capMs);
    await ended;
    clearTimeout(cap);
    const finalEnd = end as Record<string, unknown> | null;
    // After the end frame the process exits by itself; its exit brings `times` on stderr (and a --cpu-prof file).
    if (capped && opts.sandbox) await opts.sandbox.docker.getContainer(proc.id).kill({ signal: 'SIGUSR1' }).catch(() => undefined);
    else if (capped) await proc.kill();
    if (!capped || opts.sandbox) await Promise.race([proc.exited.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    if (!capped && !finalEnd) throw new Error(`tracer exited without an end frame; stderr: ${stderr.slice(0, 1000)}`);
    const counted = opts.wire || capped ? wireSize(payloads, opts.wire ?? 'full') : null;
    const status = capped ? 'capped' : String(finalEnd!.status);
    if (!capped && status !== 'ok') throw new Error(`tracer ended with ${JSON.stringify(finalEnd)}; stderr: ${stderr.slice(0, 1000)}`);
    return {
      status,
      steps: capped ? counted!.steps : Number(finalEnd!.steps),
      ms: tEnd - t0,
      firstStepMs: firstStep ? firstStep - t0 : NaN,
      peakRssKb: finalEnd ? Number(finalEnd.peakRssKb) : null,
      capped,
      cpuMs: capped && !opts.sandbox ? NaN : parseTimes(stderr),
      jobCpuMs: (cpuEnd - cpu0) / 1e6,
      ...(opts.wire ? { wireBytes: counted!.wireBytes, channelBytes: counted!.channelBytes, encodeUsPerStep: counted!.encodeUsPerStep } : {}),
      ...(finalEnd ? { end: finalEnd } : {}),
    };
  } finally {
    await discard(proc);
  }
}
