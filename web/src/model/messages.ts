/** What the viewer tells people about every verdict and every error code (keyed by protocol/codes.ts, so none is missing). */
import type { ErrorCode, Verdict } from '../sdk.ts';
import type { FrameOf } from './run-model.ts';

/** A verdict's headline and what it means for the learner. */
export const verdictText: Record<Verdict, { title: string; detail: string }> = {
  ok: { title: 'Finished', detail: 'The program ran to its end.' },
  runtime_error: { title: 'Runtime error', detail: 'The program stopped on an uncaught error.' },
  timeout: { title: 'Time limit', detail: 'The program ran past the time limit and was stopped. The steps before that are kept: an endless loop shows where it was looping.' },
  memory_limit: { title: 'Memory limit', detail: 'The program used more memory than allowed and was stopped.' },
  output_limit: { title: 'Output limit', detail: 'The program printed more than allowed; everything before the limit is shown.' },
  step_limit: { title: 'Step limit', detail: 'The program reached the step limit and was stopped; every step before it is kept.' },
  cancelled: { title: 'Cancelled', detail: 'The run was cancelled (by its owner, because the session closed, or because the server stopped).' },
  compile_error: { title: 'Compile error', detail: 'The program did not compile.' },
  internal_error: { title: 'Server error', detail: 'tracecast failed while running this program; it is not the program\'s fault. Try again.' },
};

/** What a refused request means and what to do about it. */
const errorText: Record<ErrorCode, string> = {
  bad_encoding: 'The viewer sent a message the server could not read. Reload the page.',
  too_large: 'The program (or its input) is too large to send.',
  unknown_type: 'This server does not know that request; it may be an older version.',
  invalid_message: 'The request was refused as malformed.',
  unsupported_language: 'This server cannot run that language for this request.',
  not_found: 'Not found.',
  forbidden: 'Only the session\'s owner may do that.',
  unauthenticated: 'This server needs you to sign in first.',
  session_closed: 'The session is closed: it takes no more runs.',
  rate_limited: 'Too many requests (or wrong join codes): wait a little and try again.',
  position_expired: 'Part of the session is no longer kept; showing what is left.',
  busy: 'The server is busy running other programs.',
  unavailable: 'The server cannot run programs in that language right now.',
  shutting_down: 'The server is shutting down.',
  internal: 'The server failed to handle the request. Try again.',
};

/** A refused request as one sentence, with the server's own explanation and, when it says so, when to retry. */
export function describeError(e: FrameOf<'error'>): string {
  const retry = e.retryAfterMs !== undefined ? ` Try again in ${Math.ceil(e.retryAfterMs / 1000)} s.` : '';
  return `${errorText[e.code]} (${e.message})${retry}`;
}

/** The verdict line: "Finished · 61 ms · 9.1 MB peak memory · 42 steps" (steps for traced runs only). */
export function verdictSummary(ended: FrameOf<'run.ended'>, traced: boolean): string {
  const facts = [`${formatMs(ended.wallMs)}`];
  if (ended.peakMemKb !== null) facts.push(`${(ended.peakMemKb / 1024).toFixed(1)} MB peak memory`);
  if (traced) facts.push(`${ended.steps.toLocaleString('en')} ${ended.steps === 1 ? 'step' : 'steps'}`);
  return `${verdictText[ended.verdict].title} · ${facts.join(' · ')}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The error a run ended with, as "ZeroDivisionError: division by zero (line 7)". */
export function describeRunError(error: NonNullable<FrameOf<'run.ended'>['error']>): string {
  const where = error.line !== null ? ` (line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''})` : '';
  const signal = error.signal ? ` [${error.signal}]` : '';
  return `${error.type}: ${error.message}${where}${signal}`;
}
