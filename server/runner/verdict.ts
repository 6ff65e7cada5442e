/** Decides a run's verdict from why the runner stopped it, how the sandbox exited, and the tracer's own end frame. */
import type { RunError, Verdict } from '../../protocol/index.ts';
import type { TracerFrame } from '../../protocol/trace.ts';
import type { SandboxExit } from '../sandbox/sandbox.ts';

export type TracerEnd = Extract<TracerFrame, { t: 'end' }>;

/** Why the runner itself killed the sandbox, if it did. */
export type StopReason = 'timeout' | 'cancelled' | 'output_limit' | 'step_limit' | 'internal_error';

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

export function decideVerdict(stop: StopReason | null, exit: SandboxExit | null, end: TracerEnd | null): { verdict: Verdict; error?: RunError } {
  if (stop) return { verdict: stop };
  // The compiler's own OOM kill (it runs in the same container) is a compile error: the program never ran.
  if (end?.status === 'compile_error') return { verdict: 'compile_error', error: errorOf(end, 'CompileError') };
  if (exit?.oomKilled) return { verdict: 'memory_limit', error: { type: 'MemoryError', message: 'killed for exceeding the memory limit', line: null } };
  if (end) {
    switch (end.status) {
      case 'ok':
        return { verdict: 'ok' };
      case 'step_limit':
        return { verdict: 'step_limit' };
      case 'output_limit':
        return { verdict: 'output_limit' };
      case 'error':
        return { verdict: 'runtime_error', error: errorOf(end, 'Error') };
    }
  }
  if (exit && exit.exitCode > 128) {
    const signal = SIGNALS[exit.exitCode - 128] ?? `signal ${exit.exitCode - 128}`;
    // SIGKILL without an OOM flag: the cgroup OOM killer on some kernels does not set the flag for a child.
    return { verdict: 'runtime_error', error: { type: 'Crash', message: `the program was killed by ${signal}`, line: null, signal } };
  }
  if (exit) {
    return { verdict: 'runtime_error', error: { type: 'Exit', message: `the program exited with status ${exit.exitCode} before finishing`, line: null } };
  }
  return { verdict: 'internal_error' };
}

function errorOf(end: TracerEnd, defaultType: string): RunError {
  const e = end.error;
  return {
    type: e?.type ?? defaultType,
    message: e?.message ?? '',
    line: e?.line ?? null,
    ...(e?.column !== undefined ? { column: e.column } : {}),
    ...(e?.signal ? { signal: e.signal } : {}),
  };
}
