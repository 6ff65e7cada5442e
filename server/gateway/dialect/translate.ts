/** A session's log frames as the Algorithm Dashboard's JSON messages: one translator per session per gateway, shared by every dialect subscriber of it. */
import { TraceState, decodeServerFrame, type ServerFrame, type Step } from '../../../protocol/index.ts';
import type { LogEntry } from '../../log/log.ts';
import { toJson, variablesJson } from './values.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
type RunFrame = Extract<ServerFrame, { run: string }>;

/** A program without viz steps gets an EXECUTION_STEP per executed line, up to this many. */
export const LINE_STEPS_CAP = 1000;
/** EXECUTION_COMPLETED's `steps` repeats the run's first EXECUTION_STEPs, up to this many and this many bytes. */
const KEPT_STEPS = 1000;
const KEPT_BYTES = 1024 * 1024;
/** EXECUTION_COMPLETED's `output`: what the program printed, up to this many characters. */
const KEPT_OUTPUT = 64 * 1024;
/** A program whose code calls one of these is driven by its viz steps; any other gets line steps. */
const VIZ_STEP_CALL = /\bviz\s*\.\s*(?:step|log_step|logStep)\s*\(/;
/** How every EXECUTION_STEP message starts (the pacing queue tells steps from the rest by it). */
export const STEP_PREFIX = '{"type":"EXECUTION_STEP",';

const isRef = (v: unknown): boolean => typeof v === 'object' && v !== null && 'r' in v;

const message = (type: string, fields: Record<string, unknown>): string => JSON.stringify({ type, ...fields });

/** An error in a sentence: `IndexError: list index out of range (line 2)`. */
function sentence(e: { type: string; message: string; line?: number | null }): string {
  return `${e.type}: ${e.message}${e.line ? ` (line ${e.line})` : ''}`;
}

/** The failure a `run.ended` reports, in a sentence. */
function failure(end: F<'run.ended'>): string {
  return end.error ? sentence(end.error) : `the run ended ${end.verdict}`;
}

// The state is only ever read forward, from the last keyframe on: no checkpoints.
const WINDOW = { checkpointEvery: 2 ** 30, maxCheckpoints: 1 };

/** The trace of a run from its last keyframe, to read the variables and objects at a step. */
class TraceWindow {
  private state: TraceState | null = null;

  /** False when the steps cannot be followed (joined between keyframes). */
  add(s: Step): boolean {
    if (s.kf) this.state = new TraceState(WINDOW);
    if (!this.state) return false;
    this.state.apply(s);
    return true;
  }

  at(i: number) {
    return this.state?.seek(i) ?? null;
  }

  fork(): TraceWindow {
    const copy = new TraceWindow();
    if (this.state) {
      copy.state = new TraceState(WINDOW);
      for (let i = this.state.first; i < this.state.length; i++) copy.state.apply(this.state.step(i));
    }
    return copy;
  }
}

/** What one run of the session has said so far, as far as its dialect messages need. */
interface RunTranslation {
  /** Adds the messages `frame` (appended at `at`, ms since the epoch) becomes; true once the run is over. */
  frame(frame: RunFrame, at: number, out: string[]): boolean;
  fork(): RunTranslation;
}

/** An `execute` run: EXECUTION_STARTED, EXECUTION_STEPs, then EXECUTION_COMPLETED or EXECUTION_ERROR. */
class ExecuteRun implements RunTranslation {
  private window: TraceWindow | null = new TraceWindow();
  private sent = 0;
  private kept: string[] = [];
  private keptBytes = 0;
  private perf: { ms: number; memKb: number } | null = null;
  private output = '';

  constructor(
    private readonly run: string,
    private readonly startedAt: number,
    private readonly lines: readonly string[],
    private readonly viz: boolean,
  ) {}

  static start(frame: F<'run.started'>, at: number, out: string[]): ExecuteRun {
    out.push(message('EXECUTION_STARTED', { executionId: frame.run, timestamp: at }));
    const code = frame.code ?? '';
    return new ExecuteRun(frame.run, at, code.split('\n'), VIZ_STEP_CALL.test(code));
  }

  frame(frame: RunFrame, at: number, out: string[]): boolean {
    switch (frame.type) {
      case 'steps':
        for (const s of frame.steps) this.step(s, at, out);
        return false;
      case 'output':
        if (this.output.length < KEPT_OUTPUT) this.output = (this.output + frame.text).slice(0, KEPT_OUTPUT);
        return false;
      case 'run.ended':
        out.push(this.ended(frame, at));
        return true;
      default:
        return false;
    }
  }

  private step(s: Step, at: number, out: string[]): void {
    if (s.perf) this.perf = s.perf;
    if (this.window && !this.window.add(s)) return;
    if (this.viz) {
      if (s.ev === 'viz' && s.viz?.op === 'step') {
        const refers = isRef(s.viz.data) || isRef(s.viz.highlights);
        const heap = (refers && this.window?.at(s.i)?.heap) || new Map();
        out.push(this.send(s, at, s.viz.label, toJson(s.viz.data, heap), s.viz.highlights === undefined ? [] : toJson(s.viz.highlights, heap)));
      }
      return;
    }
    if (s.ev !== 'line' || !this.window) return;
    const snap = this.window.at(s.i)!;
    const top = snap.stack[snap.stack.length - 1];
    const changed = (s.set ?? []).filter(([frame]) => frame === top?.id).map(([, name]) => name);
    const source = (this.lines[s.line - 1] ?? '').trim().slice(0, 200);
    out.push(this.send(s, at, `Line ${s.line}: ${source}`, top ? variablesJson(top.vars, snap.heap) : {}, changed));
    // Past the cap nothing more is drawn, so the state need not be followed.
    if (this.sent >= LINE_STEPS_CAP) this.window = null;
  }

  private send(s: Step, at: number, description: string, dataStructure: unknown, highlights: unknown): string {
    const performance = {
      time: this.perf ? this.perf.ms : at - this.startedAt,
      memory: this.perf ? this.perf.memKb * 1024 : null,
      operations: s.i + 1,
    };
    const step = JSON.stringify({ stepNumber: ++this.sent, description, dataStructure, highlights, performance, timestamp: at });
    if (this.kept.length < KEPT_STEPS && this.keptBytes + step.length <= KEPT_BYTES) {
      this.kept.push(step);
      this.keptBytes += step.length;
    }
    return `${STEP_PREFIX}"executionId":${JSON.stringify(this.run)},"step":${step},"timestamp":${at}}`;
  }

  private ended(end: F<'run.ended'>, at: number): string {
    if (end.verdict !== 'ok') {
      return message('EXECUTION_ERROR', { executionId: this.run, error: failure(end), verdict: end.verdict, details: end.error ?? null, timestamp: at });
    }
    const result = end.result ? toJson(end.result.value, new Map(end.result.heap)) : null;
    const head = JSON.stringify({
      success: true,
      result,
      executionTime: end.callMs ?? end.wallMs,
      memoryUsage: (end.callPeakMemKb ?? end.peakMemKb ?? 0) * 1024,
      totalSteps: this.sent,
      output: this.output,
    });
    // The kept steps are already JSON: spliced in rather than parsed and encoded again.
    const resultText = `${head.slice(0, -1)},"steps":[${this.kept.join(',')}]}`;
    return `{"type":"EXECUTION_COMPLETED","executionId":${JSON.stringify(this.run)},"result":${resultText},"timestamp":${at}}`;
  }

  fork(): ExecuteRun {
    const copy = new ExecuteRun(this.run, this.startedAt, this.lines, this.viz);
    copy.window = this.window?.fork() ?? null;
    copy.sent = this.sent;
    copy.kept = [...this.kept];
    copy.keptBytes = this.keptBytes;
    copy.perf = this.perf;
    copy.output = this.output;
    return copy;
  }
}

interface SizeResult {
  inputSize: number;
  executionTime: number | null;
  memoryUsage: number | null;
  success: boolean;
  /** null: a language without an operation count (C++). */
  operations?: number | null;
  error?: string;
}

/**
 * A `benchmark` or `test` run (its `run.started` carries no code; its first mode frame says which): BENCHMARK_STARTED,
 * BENCHMARK_PROGRESS or BENCHMARK_ERROR per size, BENCHMARK_COMPLETED; or TESTS_STARTED, TEST_RESULT per case,
 * TESTS_COMPLETED. A run that does not end `ok` ends with BENCHMARK_ERROR / TESTS_ERROR instead.
 */
class ModeRun implements RunTranslation {
  private kind: 'benchmark' | 'test' | null = null;
  private sizes: number[] = [];
  private results: unknown[] = [];
  private summary: Record<string, unknown> | null = null;

  constructor(private readonly run: string) {}

  frame(frame: RunFrame, at: number, out: string[]): boolean {
    const benchmarkId = this.run;
    const totalTests = this.sizes.length;
    switch (frame.type) {
      case 'bench.started':
        this.kind = 'benchmark';
        this.sizes = frame.sizes;
        out.push(message('BENCHMARK_STARTED', { benchmarkId, totalTests: frame.sizes.length, sizes: frame.sizes, timestamp: at }));
        return false;
      case 'bench.point':
        out.push(this.size({ inputSize: frame.n, executionTime: frame.time.median * 1000, memoryUsage: frame.peakKb * 1024, success: true, operations: frame.ops }, 'BENCHMARK_PROGRESS'));
        return false;
      case 'bench.error':
        out.push(this.size({ inputSize: frame.n, executionTime: null, memoryUsage: null, success: false, error: sentence(frame.error) }, 'BENCHMARK_ERROR'));
        return false;
      case 'bench.stopped':
        for (const n of this.sizes.filter((size) => size >= frame.n)) {
          const error = 'not measured: it would have passed the benchmark\'s time budget';
          out.push(this.size({ inputSize: n, executionTime: null, memoryUsage: null, success: false, error }, 'BENCHMARK_ERROR'));
        }
        return false;
      case 'bench.fit': {
        const v = frame.verdict;
        const series = v?.series === 'time' ? frame.time : frame.ops;
        this.summary = {
          benchmarkId,
          totalTests,
          results: this.results,
          complexityAnalysis: {
            // The shown label ('O(1.62^n)'), and no class at all when none fits.
            bestFit: v && v.fits ? v.label : null,
            confidence: v ? Math.round(v.confidence * 100) : 0,
            rSquared: series?.rSquared ?? null,
            growth: series?.growth ?? null,
            series: v?.series ?? null,
            reason: v?.reason ?? 'fewer than three sizes were measured: no class can be named',
          },
        };
        return false;
      }
      case 'test.case':
        this.testsStarted(at, out);
        this.results.push(this.testCase(frame));
        out.push(message('TEST_RESULT', { testId: this.run, result: this.results[this.results.length - 1], timestamp: at }));
        return false;
      case 'test.summary':
        this.testsStarted(at, out);
        this.summary = { testId: this.run, problem: frame.problem, passed: frame.passed, total: frame.total, passRate: frame.passRate, results: this.results };
        return false;
      case 'run.ended':
        out.push(this.ended(frame, at));
        return true;
      default:
        return false;
    }
  }

  private size(result: SizeResult, type: 'BENCHMARK_PROGRESS' | 'BENCHMARK_ERROR'): string {
    this.results.push(result);
    const currentTest = this.sizes.indexOf(result.inputSize) + 1;
    const common = { benchmarkId: this.run, currentTest, totalTests: this.sizes.length };
    return type === 'BENCHMARK_PROGRESS' ? message(type, { ...common, result }) : message(type, { ...common, inputSize: result.inputSize, error: result.error });
  }

  private testsStarted(at: number, out: string[]): void {
    if (this.kind) return;
    this.kind = 'test';
    out.push(message('TESTS_STARTED', { testId: this.run, timestamp: at }));
  }

  private testCase(c: F<'test.case'>): Record<string, unknown> {
    return {
      caseId: c.case,
      index: c.index,
      passed: c.passed,
      hidden: c.hidden,
      status: c.status,
      executionTime: c.ms,
      ...(c.hidden ? {} : { input: c.input, expected: c.expected, actual: c.actual }),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.error ? { error: sentence(c.error) } : {}),
    };
  }

  private ended(end: F<'run.ended'>, at: number): string {
    const test = this.kind === 'test';
    if (end.verdict === 'ok' && this.summary) return message(test ? 'TESTS_COMPLETED' : 'BENCHMARK_COMPLETED', { ...this.summary, timestamp: at });
    return test
      ? message('TESTS_ERROR', { testId: this.run, error: failure(end), verdict: end.verdict, timestamp: at })
      : message('BENCHMARK_ERROR', { benchmarkId: this.run, inputSize: null, error: failure(end), verdict: end.verdict, timestamp: at });
  }

  fork(): ModeRun {
    const copy = new ModeRun(this.run);
    copy.kind = this.kind;
    copy.sizes = this.sizes;
    copy.results = [...this.results];
    copy.summary = this.summary && { ...this.summary, results: copy.results };
    return copy;
  }
}

/**
 * Translates a session's log entries, in order, into dialect messages (JSON text). It follows the runs it saw start;
 * frames of runs that started before it are skipped, unless another translator that saw them hands them over (`adopt`).
 */
export class SessionTranslator {
  private readonly runs = new Map<string, RunTranslation>();

  translate(entry: LogEntry): string[] {
    const frame = decodeServerFrame(entry.frame);
    const at = Number(entry.id.split('-')[0]);
    const out: string[] = [];
    switch (frame.type) {
      case 'run.started':
        this.runs.set(frame.run, frame.code !== undefined ? ExecuteRun.start(frame, at, out) : new ModeRun(frame.run));
        break;
      case 'session.renamed':
        out.push(message('SESSION_RENAMED', { session: frame.session, title: frame.title, timestamp: at }));
        break;
      case 'session.closed':
        out.push(message('SESSION_CLOSED', { session: frame.session, timestamp: at }));
        break;
      default: {
        if (!('run' in frame)) break;
        const run = this.runs.get(frame.run);
        try {
          if (run?.frame(frame, at, out)) this.runs.delete(frame.run);
        } catch (err) {
          // A trace this translator cannot follow: the run is dropped rather than translated wrongly.
          this.runs.delete(frame.run);
          throw err;
        }
      }
    }
    return out;
  }

  /** An independent copy, at the same point of the log (for a subscriber that falls behind and catches up on its own). */
  fork(): SessionTranslator {
    const copy = new SessionTranslator();
    for (const [run, t] of this.runs) copy.runs.set(run, t.fork());
    return copy;
  }

  /** Takes over the runs `other` follows and this one does not; both must have translated up to the same entry. */
  adopt(other: SessionTranslator): void {
    for (const [run, t] of other.runs) if (!this.runs.has(run)) this.runs.set(run, t);
  }
}
