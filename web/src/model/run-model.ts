/** One run as the viewer knows it: what its frames said, kept once; what to show at a step is derived from it (view.ts). */
import { TraceState } from '../sdk.ts';
import type { ServerFrame } from '../sdk.ts';

export type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
/** A frame of a run's log (they all name their run). */
export type RunFrame = Extract<ServerFrame, { run: string; pos: string }>;

/** What a run does, known from what was asked (own runs) or from its frames (watched and replayed runs). */
export type RunKind = 'trace' | 'bench' | 'test';

export interface BenchData {
  started: FrameOf<'bench.started'> | null;
  points: FrameOf<'bench.point'>[];
  stopped: FrameOf<'bench.stopped'> | null;
  fit: FrameOf<'bench.fit'> | null;
}

export interface TestData {
  cases: FrameOf<'test.case'>[];
  summary: FrameOf<'test.summary'> | null;
}

export class RunModel {
  started: FrameOf<'run.started'> | null = null;
  ended: FrameOf<'run.ended'> | null = null;
  readonly trace = new TraceState();
  readonly output: FrameOf<'output'>[] = [];
  /** Indices of `viz` and `exception` steps, ascending: what the viz panel folds over and "jump to exception" offers. */
  readonly vizSteps: number[] = [];
  readonly exceptionSteps: number[] = [];
  readonly bench: BenchData = { started: null, points: [], stopped: null, fit: null };
  readonly tests: TestData = { cases: [], summary: null };
  /** Steps dropped because the session log's retention cut the run's start (the trace resumes at a keyframe). */
  skippedSteps = 0;
  /** Bumped by every frame of the run, so views can tell a changed run from an unchanged one. */
  version = 0;

  constructor(
    readonly id: string,
    readonly session: string,
    private askedKind: RunKind | null = null,
  ) {}

  /** Steps received so far. */
  get length(): number {
    return this.trace.length;
  }

  get kind(): RunKind | null {
    if (this.askedKind) return this.askedKind;
    if (this.started?.code !== undefined || this.trace.length > 0) return 'trace';
    if (this.bench.started) return 'bench';
    if (this.tests.cases.length > 0 || this.tests.summary) return 'test';
    return null;
  }

  set kind(kind: RunKind | null) {
    this.askedKind = kind;
  }

  get running(): boolean {
    return this.ended === null;
  }

  apply(frame: RunFrame): void {
    this.version++;
    switch (frame.type) {
      case 'run.started':
        this.started = frame;
        break;
      case 'steps': {
        let steps = frame.steps;
        // A late joiner of a trimmed log may get a run from its middle: the trace starts at its next keyframe.
        if (this.trace.length === 0 && steps.length > 0 && steps[0].i !== 0) {
          const k = steps.findIndex((s) => s.kf !== undefined);
          this.skippedSteps += k < 0 ? steps.length : k;
          steps = k < 0 ? [] : steps.slice(k);
        }
        this.trace.apply(steps);
        for (const s of steps) {
          if (s.ev === 'viz') this.vizSteps.push(s.i);
          else if (s.ev === 'exception') this.exceptionSteps.push(s.i);
        }
        break;
      }
      case 'output':
        this.output.push(frame);
        break;
      case 'run.ended':
        this.ended = frame;
        break;
      case 'bench.started':
        this.bench.started = frame;
        break;
      case 'bench.point':
        this.bench.points.push(frame);
        break;
      case 'bench.stopped':
        this.bench.stopped = frame;
        break;
      case 'bench.fit':
        this.bench.fit = frame;
        break;
      case 'test.case':
        this.tests.cases.push(frame);
        break;
      case 'test.summary':
        this.tests.summary = frame;
        break;
    }
  }
}
