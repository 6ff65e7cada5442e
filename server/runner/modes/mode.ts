/** A run mode beyond plain tracing (bench, grade): what it adds to the sandbox job and how it turns its frames into log frames. */
import type { LogFrame } from '../../../protocol/index.ts';
import type { TracerFrame } from '../../../protocol/trace.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'pos' | 'session' | 'run'> : never;
/** A log frame without the fields the runner stamps. */
export type ModeFrame = Distribute<LogFrame>;
export type Emit = (frame: ModeFrame) => void;

export interface ModeHandler {
  /** Fields merged into the job written to the sandbox (mode, entry, cases…). */
  readonly sandboxJob: Record<string, unknown>;
  /** Frames right after `run.started`. */
  begin(emit: Emit): void;
  /** A mode frame from the sandbox (anything but hello, steps, output, end). */
  onFrame(frame: TracerFrame, emit: Emit): void;
  /** Frames right before `run.ended`, once the sandbox is gone. */
  end(emit: Emit): void;
  /** What the run's record keeps of a graded run. */
  record?(): { problem: string; passed: number; total: number };
}
