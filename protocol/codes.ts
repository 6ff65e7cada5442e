/** The stable codes of tracecast's wire contract: request errors, run verdicts and close codes, in one place. */

/**
 * Error codes carried by `error` frames. `retry` says whether the same request may
 * succeed later unchanged (clients back off and retry), `fatal` whether the connection
 * is closed after it (none are: a bad message never costs the connection).
 */
export const ErrorCodes = {
  bad_encoding: { retry: false, text: 'the message is neither valid MessagePack of the standard types (binary) nor valid JSON (text)' },
  too_large: { retry: false, text: 'the message is larger than the server accepts' },
  unknown_type: { retry: false, text: 'the message type is not one the server knows' },
  invalid_message: { retry: false, text: 'a field is missing or has the wrong type or size' },
  unsupported_language: { retry: false, text: 'the server has no sandbox image for this language, or the language lacks what was asked: C++ has no `test`, no calls by name, and benchmarks only with the built-in generators other than graph' },
  not_found: { retry: false, text: 'no such run or session on this server' },
  forbidden: { retry: false, text: 'the caller may not do this: only the session\'s owner (its owner key or its user) may run, rename or close it; with TRACECAST_AUTH=required only instructors open class sessions' },
  unauthenticated: { retry: false, text: 'no valid token: send `auth` with a valid token first (or a fresh one when it expired); the message says why the token was refused' },
  session_closed: { retry: false, text: 'the session is closed' },
  rate_limited: { retry: true, text: 'a rate limit (runs, messages, connections, session.open, wrong join codes) was reached; retry after retryAfterMs' },
  position_expired: { retry: false, text: 'the position is older than the retained history; `earliest` is the oldest retained position' },
  busy: { retry: true, text: 'the run queue is full; retry after retryAfterMs' },
  unavailable: { retry: true, text: 'no runner can run this language now (its Docker engine is not answering, or no runner is up); the message says why; retry after retryAfterMs' },
  shutting_down: { retry: true, text: 'the server is shutting down; reconnect and retry' },
  internal: { retry: true, text: 'the server failed; the failure is logged with this request id' },
} as const;
export type ErrorCode = keyof typeof ErrorCodes;
export const errorCodeList = Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

/** How a run ended. Every limit has its own verdict; `internal_error` is always the server's fault. */
export const Verdicts = {
  ok: 'the program ran to its end',
  runtime_error: 'an uncaught exception (including a syntax error); `error` has type, message and line',
  timeout: 'the wall-clock limit was reached; the container was killed',
  memory_limit: 'the container was killed by the kernel for exceeding its memory limit',
  output_limit: 'stdout + stderr exceeded the output cap; what came before the cap was delivered',
  step_limit: 'the step cap was reached; every step before it was delivered',
  cancelled: 'the run was cancelled by its owner, or the server shut down',
  compile_error: 'the program did not compile (compiled languages)',
  internal_error: 'the server or the sandbox channel failed; not the program\'s fault',
} as const;
export type Verdict = keyof typeof Verdicts;
export const verdictList = Object.keys(Verdicts) as [Verdict, ...Verdict[]];

/** WebSocket close codes the server uses (4000–4999 is the application range; 1009 is WebSocket's own). */
export const CloseCodes = {
  /** The server is shutting down: reconnect (to it later, or another gateway) and resume from the last `pos`. */
  shutdown: 4001,
  /** This connection fell too far behind for too long: reconnect and resume from the last `pos`. */
  tooSlow: 4002,
  /** TRACECAST_AUTH=required and no valid token came within the deadline, or connections from this address come too fast: reconnect with a token (later). */
  unauthenticated: 4003,
  /** More connections from this address than TRACECAST_CONNECTIONS_PER_MINUTE: reconnect after the time the reason gives. */
  rateLimited: 4004,
  /** A message far over the size limit (WebSocket's "message too big"): do not send it again. */
  tooLarge: 1009,
} as const;
