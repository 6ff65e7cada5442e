/** The runner: executes one job in a sandbox, validates and stamps the tracer's frames, appends them to the session log. */
import { encode, type Language, type RunEnded, type RunError, type UnpositionedFrame } from '../../protocol/index.ts';
import type { TracerFrame } from '../../protocol/trace.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';
import { compactSteps, type WireSteps } from '../../protocol/steps-wire.ts';
import { transcodeSteps } from '../../protocol/steps-transcode.ts';
import type { SessionLog } from '../log/log.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { COMPILED_LANGUAGES, type Sandbox, type SandboxExit, type SandboxLimits, type SandboxProcess } from '../sandbox/sandbox.ts';
import type { Store } from '../store/store.ts';
import { TraceRecorder } from '../archive/trace-recorder.ts';
import { Appender } from './appender.ts';
import { FrameReader } from './frame-reader.ts';
import type { ModeFrame, ModeHandler } from './modes/mode.ts';
import { decideVerdict, type StopReason, type TracerEnd } from './verdict.ts';

export interface RunJob {
  run: string;
  session: string;
  /** The identity that submitted the run (the connection, until authentication exists). */
  owner: string;
  language: Language;
  code: string;
  stdin: string[];
  maxSteps: number;
  timeoutMs: number;
  /** Bench or grade mode; absent: a traced run. */
  mode?: ModeHandler;
  /** A traced run only: the function the tracer calls, with these arguments, once the top level has run. */
  call?: { entry: string; args: unknown[] };
  /** When it was submitted (ms since the epoch), for the queue-wait and first-step metrics. */
  submittedAt?: number;
}

export interface RunnerLimits extends SandboxLimits {
  outputBytes: number;
  maxFrameBytes: number;
  keyframeEvery: number;
  /** Steps the tracer batches into one frame (it also flushes every ~20 ms, and its first step at once). */
  batchSteps: number;
}

export interface RunnerDeps {
  sandbox: Sandbox;
  log: SessionLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  limits: RunnerLimits;
}

export type RunSummary = Omit<RunEnded, 'pos' | 'type' | 'session' | 'run'>;

// The tracers exit right after their `end` frame; a sandbox still running this long after it is
// not a tracer telling the truth (a program that forged the frame), and the run is an internal_error.
const EXIT_GRACE_MS = 2000;
// Taking a sandbox (a cold container start under load) is bounded separately from the program's wall clock.
const ACQUIRE_TIMEOUT_MS = 60_000;
// Past this many encoded bytes waiting for the log, the runner stops reading the sandbox until they are appended.
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class Runner {
  private readonly active = new Map<string, RunExecution>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Runs the job to its end; never throws for anything the program does. */
  async execute(job: RunJob): Promise<RunSummary> {
    if (job.submittedAt !== undefined) this.deps.metrics.queueWait.observe({ language: job.language }, Math.max(0, Date.now() - job.submittedAt) / 1000);
    return this.track(new RunExecution(job, this.deps, null));
  }

  /** Ends a job that never started (cancelled while queued, or dropped at shutdown) with `run.ended`. */
  async abandon(job: RunJob): Promise<RunSummary> {
    return this.track(new RunExecution(job, this.deps, 'cancelled'));
  }

  private async track(execution: RunExecution): Promise<RunSummary> {
    const { job } = execution;
    this.active.set(job.run, execution);
    this.deps.metrics.runsActive.inc();
    try {
      return await execution.done;
    } finally {
      this.active.delete(job.run);
      this.deps.metrics.runsActive.dec();
    }
  }

  /** Stops a run with verdict `cancelled`; false when no such run is active (or `owner` is not its owner). */
  cancel(run: string, owner?: string): boolean {
    const execution = this.active.get(run);
    if (!execution || (owner !== undefined && execution.job.owner !== owner)) return false;
    execution.stop('cancelled');
    return true;
  }

  /** Resolves once `run` is not running here any more: recorded, with its trace stored. */
  async settled(run: string): Promise<void> {
    await this.active.get(run)?.done;
  }

  activeRuns(): RunJob[] {
    return [...this.active.values()].map((e) => e.job);
  }

  /** Cancels every active run and waits for them to be recorded and their sandboxes removed. */
  async shutdown(): Promise<void> {
    const all = [...this.active.values()];
    for (const e of all) e.stop('cancelled');
    await Promise.allSettled(all.map((e) => e.done));
  }
}

/** One run, from sandbox start to the recorded summary. */
class RunExecution {
  readonly done: Promise<RunSummary>;
  private readonly appender: Appender;
  private readonly recorder: TraceRecorder;
  private proc: SandboxProcess | null = null;
  private stopReason: StopReason | null = null;
  private stopDetail: string | null = null;
  private end: TracerEnd | null = null;
  private nextStep = 0;
  private outputBytes = 0;
  private peakRssKb: number | null = null;
  private readonly stderrDecoder = new TextDecoder('utf-8');
  private endAt = 0;
  private deadline = Infinity;
  private paused = false;
  private pendingOutput: { stream: 'stdout' | 'stderr'; text: string; step: number } | null = null;
  // Resolves when the runner stops the run: its verdict is then known, so the sandbox is removed without waiting for its exit.
  private signalStopped!: () => void;
  private readonly stopped = new Promise<null>((resolve) => (this.signalStopped = () => resolve(null)));

  constructor(
    readonly job: RunJob,
    private readonly deps: RunnerDeps,
    preStop: StopReason | null,
  ) {
    this.stopReason = preStop;
    this.recorder = new TraceRecorder(deps.store, job.run);
    this.appender = new Appender(deps.log, job.session, (frames, ids) => {
      deps.metrics.framesAppended.inc(frames.length);
      this.recorder.add(frames, ids);
    });
    this.done = this.main();
  }

  stop(reason: StopReason, detail?: string): void {
    // After the tracer's `end` only a channel violation can still change the verdict.
    if (this.stopReason || (this.end && reason !== 'internal_error')) return;
    this.stopReason = reason;
    this.stopDetail = detail ?? null;
    void this.proc?.kill();
    this.signalStopped();
  }

  private emit(frame: UnpositionedFrame): void {
    this.flushOutput();
    this.appender.push(encode(frame));
  }

  private readonly emitMode = (frame: ModeFrame): void => {
    this.flushOutput();
    this.appender.push(encode({ ...frame, session: this.job.session, run: this.job.run }));
  };

  /**
   * Output is coalesced per stream and step within one read from the sandbox: the tracers send
   * every write at once (so nothing is lost to a crash), and a print is often several writes.
   */
  private queueOutput(stream: 'stdout' | 'stderr', text: string, step: number): void {
    const p = this.pendingOutput;
    if (p && p.stream === stream && p.step === step) {
      p.text += text;
      return;
    }
    this.flushOutput();
    this.pendingOutput = { stream, text, step };
  }

  private flushOutput(): void {
    const p = this.pendingOutput;
    if (!p) return;
    this.pendingOutput = null;
    this.appender.push(encode({ type: 'output', session: this.job.session, run: this.job.run, stream: p.stream, text: p.text, step: p.step }));
  }

  private async main(): Promise<RunSummary> {
    const { job, deps } = this;
    const { limits } = deps;
    let proc: SandboxProcess | null = null;
    let internal: Error | null = null;
    try {
      if (!this.stopReason) proc = await this.acquire();
    } catch (err) {
      internal = err as Error;
      this.stopReason ??= 'internal_error';
    }
    this.emit({
      type: 'run.started',
      session: job.session,
      run: job.run,
      language: job.language,
      limits: { maxSteps: job.maxSteps, timeoutMs: job.timeoutMs, memoryMb: limits.memoryMb, outputBytes: limits.outputBytes },
      ...(job.mode ? {} : { code: job.code }),
    });
    job.mode?.begin(this.emitMode);
    const t0 = performance.now();
    let exit: SandboxExit | null = null;
    try {
      if (proc) exit = await this.runSandbox(proc);
    } catch (err) {
      internal = err as Error;
      this.stopReason ??= 'internal_error';
    }
    const wallMs = Math.round(performance.now() - t0);
    if (this.stopReason === 'internal_error') {
      deps.logger.error('run failed', { run: job.run, session: job.session, detail: this.stopDetail, err: internal ?? undefined });
    }
    let { verdict, error } = decideVerdict(this.stopReason, exit, this.end);
    error = this.describe(verdict, error);
    const summary: RunSummary = { verdict, wallMs, peakMemKb: this.peakRssKb, steps: this.nextStep, ...(error ? { error } : {}) };
    job.mode?.end(this.emitMode);
    this.emit({ type: 'run.ended', session: job.session, run: job.run, ...summary, ...this.callOutcome() });
    await this.appender.flush();
    if (this.appender.failure) deps.logger.error('session log append failed', { run: job.run, err: this.appender.failure });
    deps.metrics.runs.inc({ verdict, language: job.language });
    // endMs: when the tracer's end frame came (wallMs also covers the process's exit after it).
    const endMs = this.end ? Math.round(this.endAt - t0) : null;
    deps.logger.info('run ended', { run: job.run, session: job.session, language: job.language, verdict, wallMs, endMs, steps: this.nextStep, sandbox: this.proc?.id ?? null });
    deps.metrics.runDuration.observe({ language: job.language }, wallMs / 1000);
    // The trace is stored before the run's record: a recorded run always has its whole trace.
    await this.recorder.finish();
    if (this.recorder.failure) deps.logger.error('storing the trace failed', { run: job.run, err: this.recorder.failure });
    await deps.store
      .recordRun({ id: job.run, session: job.session, language: job.language, code: job.code, ...summary, error: summary.error ?? null, createdAt: new Date(), test: job.mode?.record?.() ?? null })
      .catch((err) => deps.logger.error('recording run failed', { run: job.run, err }));
    return summary;
  }

  /** What run.ended says of the job's entry call: its result (when it returned), its own time and memory. */
  private callOutcome(): Pick<RunEnded, 'result' | 'callMs' | 'callPeakMemKb'> {
    const call = this.job.call && this.end?.call;
    if (!call) return {};
    return {
      ...(call.result !== undefined ? { result: { value: call.result, heap: call.heap ?? [] } } : {}),
      callMs: call.ms,
      callPeakMemKb: call.peakRssKb,
    };
  }

  private describe(verdict: string, error: RunError | undefined): RunError | undefined {
    if (error) return error;
    const { job, deps } = this;
    switch (verdict) {
      case 'timeout':
        return { type: 'Timeout', message: `wall-clock limit of ${job.timeoutMs} ms reached`, line: null };
      case 'output_limit':
        return { type: 'OutputLimit', message: `output exceeded ${deps.limits.outputBytes} bytes`, line: null };
      case 'step_limit':
        return { type: 'StepLimit', message: `step limit of ${job.maxSteps} reached`, line: null };
      case 'internal_error':
        return { type: 'InternalError', message: 'the server failed to run the program; this is not the program\'s fault', line: null };
      default:
        return undefined;
    }
  }

  /**
   * Takes a sandbox (warm, or started now). Its start does not count against the program's wall
   * clock, which starts with `run.started`; it has its own bound, and a stop while waiting wins.
   */
  private async acquire(): Promise<SandboxProcess | null> {
    const starting = this.deps.sandbox.start(this.job.language, this.deps.limits, { 'tracecast.run': this.job.run, 'tracecast.session': this.job.session }, this.job.owner);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no sandbox within ${ACQUIRE_TIMEOUT_MS} ms`)), ACQUIRE_TIMEOUT_MS);
    });
    try {
      const proc = await Promise.race([starting, bound, this.stopped]);
      if (!proc) void starting.then((late) => late.dispose(), () => undefined);
      return proc;
    } catch (err) {
      void starting.then((late) => late.dispose(), () => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async runSandbox(proc: SandboxProcess): Promise<SandboxExit | null> {
    const { job, deps } = this;
    const { limits } = deps;
    const timer = setTimeout(() => this.stop('timeout'), job.timeoutMs);
    this.deadline = performance.now() + job.timeoutMs;
    this.proc = proc;
    if (this.stopReason) await proc.kill();
    try {
      const reader = new FrameReader(limits.maxFrameBytes, (payload) => this.onTracerFrame(payload));
      proc.onStdout((chunk) => {
        if (this.stopReason) return;
        // A busy event loop can run I/O callbacks long after the timer was due: check the clock here too.
        if (performance.now() > this.deadline) return this.stop('timeout');
        try {
          reader.push(chunk);
        } catch (err) {
          this.stop('internal_error', (err as Error).message);
        }
        this.flushOutput();
        if (!this.paused && this.appender.queuedBytes > MAX_QUEUED_BYTES) {
          this.paused = true;
          proc.pause();
        }
      });
      this.appender.onProgress = () => {
        if (this.paused && this.appender.queuedBytes <= MAX_QUEUED_BYTES / 2) {
          this.paused = false;
          proc.resume();
        }
      };
      proc.onStderr((chunk) => {
        if (this.stopReason) return;
        this.onOutput('stderr', this.stderrDecoder.decode(chunk, { stream: true }));
        this.flushOutput();
      });
      // A compiled language's runtime waits, after the build, for the go that follows the memory limit's change (`compiled`).
      const gated = COMPILED_LANGUAGES.has(job.language) && limits.compileMemoryMb > limits.memoryMb;
      (gated ? proc.write.bind(proc) : proc.send.bind(proc))(
        JSON.stringify({
          code: job.code,
          stdin: job.stdin,
          maxSteps: job.maxSteps,
          maxOutputBytes: limits.outputBytes,
          maxItems: 100,
          maxString: 1000,
          keyframeEvery: limits.keyframeEvery,
          full: false,
          batchSteps: limits.batchSteps,
          gate: gated,
          ...job.call,
          ...job.mode?.sandboxJob,
        }) + '\n',
      );
      const exited = proc.exited;
      const graceTimer = setInterval(() => {
        if (this.end && !this.stopReason && performance.now() - this.endAt > EXIT_GRACE_MS) {
          this.stop('internal_error', `the sandbox kept running ${EXIT_GRACE_MS} ms after its end frame`);
        }
      }, 250);
      try {
        return await Promise.race([exited, this.stopped]);
      } finally {
        clearInterval(graceTimer);
      }
    } finally {
      clearTimeout(timer);
      await proc.dispose();
    }
  }


  private onTracerFrame(payload: Buffer): void {
    if (this.stopReason) return;
    // Two `end` frames, or anything after one, mean the program forged frames: it may not decide its verdict.
    if (this.end) return this.stop('internal_error', 'a frame after the end frame');
    let frame: TracerFrame | WireSteps;
    try {
      // Nearly every frame of a run is a batch of compact steps: checked and compacted in one pass
      // (protocol/steps-transcode.ts); what that pass does not take goes the general way.
      const raw: unknown = JSON.parse(payload.toString('utf8'));
      frame = transcodeSteps(raw) ?? parseTracerFrame(raw);
    } catch (err) {
      this.stop('internal_error', `malformed tracer frame: ${(err as Error).message.slice(0, 200)}`);
      return;
    }
    if (!('t' in frame)) return this.onSteps(frame);
    const { job } = this;
    switch (frame.t) {
      case 'hello':
        return;
      case 'compiled':
        void this.startCompiled();
        return;
      case 'steps': {
        const steps = frame.steps;
        if (steps.length > 0 && steps[steps.length - 1].i !== steps[0].i + steps.length - 1) {
          this.stop('internal_error', `step indices out of sequence at ${this.nextStep}`);
          return;
        }
        return this.onSteps(compactSteps(steps));
      }
      case 'output':
        this.onOutput(frame.stream, frame.text, frame.step);
        return;
      case 'end':
        this.end = frame;
        this.endAt = performance.now();
        this.peakRssKb = frame.peakRssKb ?? null;
        return;
      default:
        if (!job.mode) return this.stop('internal_error', `unexpected ${frame.t} frame in a traced run`);
        job.mode.onFrame(frame, this.emitMode);
    }
  }

  private onSteps(wire: WireSteps): void {
    const { job } = this;
    const count = wire.steps.length;
    if (count === 0) return;
    if (wire.first !== this.nextStep) {
      this.stop('internal_error', `step indices out of sequence at ${this.nextStep}`);
      return;
    }
    if (this.nextStep + count > job.maxSteps) {
      this.stop('internal_error', 'the tracer exceeded the step cap');
      return;
    }
    if (this.nextStep === 0 && job.submittedAt !== undefined) this.deps.metrics.firstStep.observe({ language: job.language }, Math.max(0, Date.now() - job.submittedAt) / 1000);
    this.nextStep += count;
    this.emit({ type: 'steps', session: job.session, run: job.run, ...wire });
  }

  /** The program is built: from here on it gets the run's memory limit, not the compiler's. */
  private async startCompiled(): Promise<void> {
    const proc = this.proc!;
    try {
      await proc.limitMemory(this.deps.limits.memoryMb);
    } catch (err) {
      this.stop('internal_error', `lowering the memory limit after the compile failed: ${(err as Error).message}`);
      return;
    }
    if (!this.stopReason) proc.send('go\n');
  }

  /** Forwards program output up to the cap; past it the run ends with `output_limit`. */
  private onOutput(stream: 'stdout' | 'stderr', text: string, step = this.nextStep - 1): void {
    if (text.length === 0) return;
    const cap = this.deps.limits.outputBytes;
    const bytes = Buffer.byteLength(text);
    if (this.outputBytes + bytes > cap) {
      const room = Math.max(0, cap - this.outputBytes);
      const cut = Buffer.from(text).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
      this.outputBytes = cap;
      if (cut.length > 0) this.queueOutput(stream, cut, step);
      this.stop('output_limit');
      return;
    }
    this.outputBytes += bytes;
    this.queueOutput(stream, text, step);
  }
}
