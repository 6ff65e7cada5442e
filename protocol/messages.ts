/** Every message of the wire protocol: what clients send and what the server sends back, as zod schemas. */
import { z } from 'zod';
import { errorCodeList, verdictList } from './codes.ts';
import { WireSteps } from './steps-wire.ts';
import { HeapEntry, Lang, Step, Value } from './trace.ts';

/** Languages with a sandbox image (the tracers' `hello.lang`). */
export const Language = Lang;
export type Language = z.infer<typeof Language>;

/** A client-chosen request id, echoed in the reply so clients can match answers to requests. */
const RequestId = z.string().max(64).optional();
/** Session ids and join codes: short, URL-safe. */
const SessionId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
/** A position in a session log (opaque to clients; compare only for equality). */
export const Position = z.string().min(1).max(64).regex(/^\d+-\d+$/);

// ---- client → server -------------------------------------------------------

/** A session's owner key: returned once by `session.open`, required to run code in, rename or close it. */
const OwnerKey = z.string().min(1).max(128);
/** Join codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
export const JoinCode = z.string().regex(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);

/** A function of the learner's program: an identifier of either language. */
const Identifier = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/).max(100);

/** How deep `args` may nest: the tracers rebuild and trace the values, and a chain of 100 lists is already a lot to draw. */
export const MAX_ARGS_DEPTH = 100;

/**
 * Where `value` stops being JSON (null, boolean, finite number, string, array, string-keyed map, at most
 * MAX_ARGS_DEPTH levels deep), or null when it does not. Iterative: a deep value costs no stack.
 */
function jsonProblem(value: unknown): { path: (string | number)[]; message: string } | null {
  const todo: Array<[unknown, (string | number)[]]> = [[value, []]];
  while (todo.length > 0) {
    const [v, path] = todo.pop()!;
    // The argument that is too deep, not the whole path down to where it stops.
    if (path.length > MAX_ARGS_DEPTH) return { path: path.slice(0, 1), message: `nested deeper than ${MAX_ARGS_DEPTH} levels` };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, message: 'not a JSON value (NaN and infinities have no JSON form)' };
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => todo.push([x, [...path, i]]));
    } else if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      for (const [k, x] of Object.entries(v)) todo.push([x, [...path, k]]);
    } else {
      return { path, message: `not a JSON value (${v instanceof Uint8Array ? 'binary' : typeof v})` };
    }
  }
  return null;
}

/** Arguments for `entry`: JSON values, which both tracers turn into their language's lists, dicts/objects and scalars. */
const Args = z
  .array(z.unknown())
  .max(1000)
  .superRefine((args, ctx) => {
    const problem = jsonProblem(args);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
  });

/** Run `code` under the tracer; the caller is subscribed to the run's session. */
export const Execute = z.object({
  type: z.literal('execute'),
  id: RequestId,
  language: Language,
  code: z.string().max(64 * 1024),
  stdin: z.array(z.string().max(64 * 1024)).max(10_000).default([]),
  /** Run inside this opened session (with its `ownerKey`); default: the connection's own session. */
  session: SessionId.optional(),
  ownerKey: OwnerKey.optional(),
  /** Lower (never raise) the server's limits for this run. */
  limits: z
    .object({
      maxSteps: z.number().int().positive().optional(),
      timeoutMs: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
  /** After the top level has run, call this function with `args` under the same tracing; `run.ended` carries its result. */
  entry: Identifier.optional(),
  args: Args.optional(),
}).refine((m) => m.args === undefined || m.entry !== undefined, { message: '`args` needs `entry`: the function to call with them', path: ['args'] });

/** Where a run goes: the connection's own session by default, or an opened session with its owner key. */
const Target = { session: SessionId.optional(), ownerKey: OwnerKey.optional() };

export const BuiltinGenerator = z.enum(['random_ints', 'sorted_ints', 'reversed_ints', 'string', 'sorted_target', 'two_sum', 'graph']);

/** Measure how `entry` scales: points per input size, then a fitted complexity class. */
export const Benchmark = z.object({
  type: z.literal('benchmark'),
  id: RequestId,
  language: Language,
  code: z.string().max(64 * 1024),
  entry: Identifier,
  /** A built-in input generator, or the name of the learner's own `gen(n, rng)` in `code`. */
  generator: z.union([
    z.object({ builtin: BuiltinGenerator, seed: z.number().int().default(1) }),
    z.object({ function: Identifier, seed: z.number().int().default(1) }),
  ]),
  /** Explicit sizes, or `count` sizes spaced on a log scale from `from` to `to`. */
  sizes: z
    .union([
      z.array(z.number().int().min(1).max(10_000_000)).min(1).max(30),
      z.object({ from: z.number().int().min(1), to: z.number().int().max(10_000_000), count: z.number().int().min(2).max(30) }),
    ])
    .default([100, 500, 1000, 2500, 5000]),
  repeats: z.number().int().min(1).max(50).default(5),
  budgetMs: z.number().int().min(100).max(120_000).default(8000),
  ...Target,
});

/** Grade `code` against a problem's test cases (hidden expectations never leave the server). */
export const Test = z.object({
  type: z.literal('test'),
  id: RequestId,
  language: Language,
  code: z.string().max(64 * 1024),
  problem: z.string().regex(/^[a-z0-9_-]+$/).max(100),
  ...Target,
});

/** Receive a session's frames (by id, or by join code): everything after `position`, or from the start, then live. */
export const Subscribe = z
  .object({
    type: z.literal('subscribe'),
    id: RequestId,
    session: SessionId.optional(),
    code: JoinCode.optional(),
    position: Position.optional(),
  })
  .refine((m) => (m.session === undefined) !== (m.code === undefined), { message: 'give exactly one of `session` and `code`', path: ['session'] });

/**
 * Open an instructor session: returns its id, a join code for watchers and the owner key. `students`: the class
 * size expected to press Run at about the same moment; the server starts that many sandboxes of `language`
 * (default python) ahead, kept until as many first runs have taken them, the session closes, or an hour passes.
 */
export const SessionOpen = z.object({
  type: z.literal('session.open'),
  id: RequestId,
  title: z.string().max(200).default(''),
  students: z.number().int().min(1).max(10_000).optional(),
  language: Language.optional(),
});
export const SessionRename = z.object({ type: z.literal('session.rename'), id: RequestId, session: SessionId, ownerKey: OwnerKey, title: z.string().max(200) });
/** End a session for everyone: a final `session.closed` frame; no more runs. */
export const SessionClose = z.object({ type: z.literal('session.close'), id: RequestId, session: SessionId, ownerKey: OwnerKey });

/** Stop receiving a session's frames. */
export const Unsubscribe = z.object({ type: z.literal('unsubscribe'), id: RequestId, session: SessionId });

/** Stop a run started by this connection; it ends with verdict `cancelled`. */
export const Cancel = z.object({ type: z.literal('cancel'), id: RequestId, run: z.string().min(1).max(64) });

/** Stream a finished run's stored trace: the same frames, with the same positions, as live; then `replay.ended`. */
export const Replay = z.object({ type: z.literal('replay'), id: RequestId, run: z.string().min(1).max(64) });

/**
 * Present a JSON Web Token (browsers cannot set headers on a WebSocket): the connection acts as its user from then on.
 * Send it first (with TRACECAST_AUTH=required nothing else is answered before it), and again with a fresh token before
 * the old one expires; a connection's user never changes. Answered `authenticated`, or `unauthenticated` and why.
 */
export const Auth = z.object({ type: z.literal('auth'), id: RequestId, token: z.string().min(1).max(8192) });

/**
 * Every client message type and its schema: the one table the message union, the gateway's decoder and the
 * application's handler table (server/app/app.ts, which must have a key for each) are derived from.
 */
export const ClientMessages = {
  execute: Execute,
  subscribe: Subscribe,
  unsubscribe: Unsubscribe,
  cancel: Cancel,
  'session.open': SessionOpen,
  'session.rename': SessionRename,
  'session.close': SessionClose,
  benchmark: Benchmark,
  test: Test,
  replay: Replay,
  auth: Auth,
} as const;
export type ClientMessageType = keyof typeof ClientMessages;
export const clientMessageTypes = Object.keys(ClientMessages) as ClientMessageType[];
/** The message of one type, as validated (defaults applied). */
export type ClientMessageOf<T extends ClientMessageType> = z.infer<(typeof ClientMessages)[T]>;
type ClientMessageSchema = (typeof ClientMessages)[ClientMessageType];
export const ClientMessage = z.union(Object.values(ClientMessages) as [ClientMessageSchema, ClientMessageSchema, ...ClientMessageSchema[]]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type Execute = z.infer<typeof Execute>;
export type Subscribe = z.infer<typeof Subscribe>;
export type Benchmark = z.infer<typeof Benchmark>;
export type Test = z.infer<typeof Test>;
export type Replay = z.infer<typeof Replay>;

// ---- server → client: direct replies (no position) -------------------------

/** The run was queued; its frames will appear in `session`. */
export const Accepted = z.object({ type: z.literal('accepted'), id: RequestId, run: z.string(), session: z.string() });

/**
 * The subscription is in place; `position` is where the replay starts after (absent: from the
 * start). `truncated`: the start of the session is no longer retained; replay starts at `earliest`.
 */
export const Subscribed = z.object({
  type: z.literal('subscribed'),
  id: RequestId,
  session: z.string(),
  position: Position.optional(),
  truncated: z.boolean().optional(),
  earliest: Position.optional(),
  /** An opened (class) session's title as it is now (a connection's own session has none); later renames arrive as `session.renamed`. */
  title: z.string().optional(),
});
export const SessionOpened = z.object({
  type: z.literal('session.opened'),
  id: RequestId,
  session: z.string(),
  joinCode: z.string(),
  ownerKey: z.string(),
  title: z.string(),
  /** With `students`: the sandboxes being started for the class (fewer when the host's sandbox memory budget holds fewer). */
  warming: z.number().int().nonnegative().optional(),
});
/** The whole stored trace of `run` was sent (`frames` of them), before this reply. */
export const ReplayEnded = z.object({ type: z.literal('replay.ended'), id: RequestId, run: z.string(), frames: z.number().int().nonnegative() });
/** `auth` succeeded: who the connection is now, as the token says. */
export const Authenticated = z.object({
  type: z.literal('authenticated'),
  id: RequestId,
  user: z.string(),
  role: z.enum(['student', 'instructor', 'admin']),
  name: z.string().nullable(),
  /** When the token expires (epoch ms): send a fresh `auth` before then. */
  expiresAt: z.number().nullable(),
});
/** A request that needs no other answer succeeded. */
export const Ok = z.object({ type: z.literal('ok'), id: RequestId });
/** How many connections watch a session now (sent when it changes, at most twice a second). */
export const Presence = z.object({ type: z.literal('presence'), session: z.string(), watchers: z.number().int().nonnegative() });
export const Unsubscribed = z.object({ type: z.literal('unsubscribed'), id: RequestId, session: z.string() });

/** A request failed; the connection stays open. `id` echoes the request id when one could be read. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  id: RequestId.nullable(),
  code: z.enum(errorCodeList),
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** With `position_expired`: the oldest position still retained (subscribe from there or from the start). */
  earliest: Position.optional(),
});

// ---- server → client: session log frames (carry `pos`) ---------------------

/** Fields every frame of a session log carries. `pos` is added by the gateway from the log. */
const Logged = { session: z.string(), run: z.string(), pos: Position };

export const RunStarted = z.object({
  type: z.literal('run.started'),
  ...Logged,
  language: Language,
  limits: z.object({ maxSteps: z.number(), timeoutMs: z.number(), memoryMb: z.number(), outputBytes: z.number() }),
  /**
   * The program, on traced runs (`execute`) only: watchers and replays show it beside the steps. Benchmark and
   * test runs leave it out, since their run ids are public (leaderboards) and a run id must not reveal a solution.
   */
  code: z.string().optional(),
});

/** A batch of consecutive steps as sent and stored: compact (protocol/steps-wire.ts; the step model is protocol/trace.ts). */
export const StepsWire = z.object({ type: z.literal('steps'), ...Logged, ...WireSteps.shape });
/** The same batch as `decodeServerFrame` hands it to clients: every step in full. */
export const Steps = StepsWire.extend({ steps: z.array(Step) });

/** Text the program printed; `step` is the index of the step that printed it (-1 before the first). */
export const Output = z.object({
  type: z.literal('output'),
  ...Logged,
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  step: z.number().int(),
});

export const RunError = z.object({
  type: z.string(),
  message: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().optional(),
  signal: z.string().optional(),
});

/** The last frame of a run. */
export const RunEnded = z.object({
  type: z.literal('run.ended'),
  ...Logged,
  verdict: z.enum(verdictList),
  wallMs: z.number(),
  peakMemKb: z.number().nullable(),
  steps: z.number().int(),
  error: RunError.optional(),
  /**
   * An `execute` with `entry`: what the call returned, as a trace value with the heap objects it reaches (cut at the
   * trace's caps). Absent when the call did not return (an exception, a limit).
   */
  result: z.object({ value: Value, heap: z.array(HeapEntry) }).optional(),
  /** An `execute` with `entry`: the call's own wall time and peak memory (beside the run's `wallMs` and `peakMemKb`). */
  callMs: z.number().optional(),
  callPeakMemKb: z.number().nullable().optional(),
});

/** 'O(b^n)': exponential with a fitted base (ClassFit.base / verdict.base), e.g. naive Fibonacci's 1.62ⁿ. */
const ComplexityClass = z.enum(['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n^2)', 'O(n^3)', 'O(2^n)', 'O(n!)', 'O(b^n)']);
/** y ≈ a + b·f(n); for O(b^n), f(n) = baseⁿ. */
const ClassFit = z.object({ cls: ComplexityClass, a: z.number(), b: z.number(), rmsRelErr: z.number(), base: z.number().optional() });
const SeriesFit = z.object({
  best: ClassFit,
  runnerUp: ClassFit.nullable(),
  confidence: z.number(),
  note: z.string().optional(),
  /** The best fit's coefficient of determination on the series (1: the curve goes through every point). */
  rSquared: z.number().optional(),
  /** The series' empirical growth exponent k in y ∝ n^k (least squares on log y against log n). */
  growth: z.number().optional(),
});

export const BenchStarted = z.object({
  type: z.literal('bench.started'),
  ...Logged,
  entry: z.string(),
  sizes: z.array(z.number()),
  repeats: z.number(),
  budgetMs: z.number(),
});
/** One input size, measured: wall-time statistics (seconds), the deterministic operation count, memory. */
export const BenchPoint = z.object({
  type: z.literal('bench.point'),
  ...Logged,
  n: z.number(),
  time: z.object({ min: z.number(), median: z.number(), mean: z.number(), stddev: z.number() }),
  times: z.array(z.number()),
  /** Lines executed by one call; null where the language has no operation count (C++: timings only). */
  ops: z.number().nullable(),
  builtinShare: z.number(),
  peakKb: z.number(),
  /**
   * What the count saw into (Python): `charged`, the built-ins whose work `ops` includes (sorted as n log n, bisect
   * as log n, sum as n…, n the size of the collection each call was handed); `unseen`, the built-ins it timed
   * without a cost, most time first (their work is in `builtinShare`, not in `ops`).
   */
  charged: z.array(z.string()).optional(),
  unseen: z.array(z.string()).optional(),
});
/** The entry function (or the program's generator) failed at size `n`; the series goes on with the next size. */
export const BenchError = z.object({
  type: z.literal('bench.error'),
  ...Logged,
  n: z.number(),
  /** `signal`: a C++ call killed by one (`type` "Crash"), e.g. "SIGSEGV". */
  error: z.object({ type: z.string(), message: z.string(), line: z.number().int().nullable(), signal: z.string().optional() }),
});
/** The series stopped early: measuring size `n` would have passed the time budget. */
export const BenchStopped = z.object({ type: z.literal('bench.stopped'), ...Logged, reason: z.literal('budget'), n: z.number() });
/** The fitted complexity per series and the verdict tracecast stands by, with its reason. */
export const BenchFit = z.object({
  type: z.literal('bench.fit'),
  ...Logged,
  time: SeriesFit.nullable(),
  ops: SeriesFit.nullable(),
  /**
   * label: the class as shown ('O(1.62^n)'); fits: false when no class fits the chosen series — then cls/base name
   * only the fastest-growing candidate, the label says "no class fits; …" and the confidence is 0.
   */
  verdict: z.object({
    series: z.enum(['operations', 'time']),
    cls: ComplexityClass,
    base: z.number().optional(),
    label: z.string(),
    fits: z.boolean(),
    confidence: z.number(),
    reason: z.string(),
  }).nullable(),
});
/** One graded case. Hidden cases carry no input, expected or actual value. */
export const TestCaseResult = z.object({
  type: z.literal('test.case'),
  ...Logged,
  case: z.string(),
  index: z.number().int(),
  hidden: z.boolean(),
  passed: z.boolean(),
  status: z.enum(['ok', 'error', 'timeout']),
  ms: z.number(),
  input: z.unknown().optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  reason: z.string().optional(),
  error: z.object({ type: z.string(), message: z.string(), line: z.number().int().nullable().optional() }).optional(),
});
export const TestSummary = z.object({ type: z.literal('test.summary'), ...Logged, problem: z.string(), passed: z.number().int(), total: z.number().int(), passRate: z.number() });

/** Session-level log frames (no run). */
export const SessionRenamed = z.object({ type: z.literal('session.renamed'), session: z.string(), pos: Position, title: z.string() });
export const SessionClosed = z.object({ type: z.literal('session.closed'), session: z.string(), pos: Position });

/** What the session log holds and every subscriber receives, byte for byte. */
export const LogFrame = z.discriminatedUnion('type', [RunStarted, StepsWire, Output, RunEnded, SessionRenamed, SessionClosed, BenchStarted, BenchPoint, BenchError, BenchStopped, BenchFit, TestCaseResult, TestSummary]);
/** Every frame from the server as a client handles it, after `decodeServerFrame` (`steps` expanded). */
export const ServerFrame = z.discriminatedUnion('type', [
  Accepted,
  Subscribed,
  Unsubscribed,
  SessionOpened,
  ReplayEnded,
  Authenticated,
  Ok,
  Presence,
  ErrorFrame,
  RunStarted,
  Steps,
  Output,
  RunEnded,
  SessionRenamed,
  SessionClosed,
  BenchStarted,
  BenchPoint,
  BenchError,
  BenchStopped,
  BenchFit,
  TestCaseResult,
  TestSummary,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type LogFrame = z.infer<typeof LogFrame>;
export type RunEnded = z.infer<typeof RunEnded>;
export type RunError = z.infer<typeof RunError>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** A log frame as the runner writes it: everything but `pos`, which the log assigns. */
export type UnpositionedFrame = LogFrame extends infer F ? (F extends LogFrame ? Omit<F, 'pos'> : never) : never;
