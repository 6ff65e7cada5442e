/** Every message of the wire protocol: what clients send and what the server sends back, as zod schemas. */
import { z } from 'zod';
import { errorCodeList, verdictList } from './codes.ts';
import { Lang, Step } from './trace.ts';

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

/** Run `code` under the tracer; the caller is subscribed to the run's session. */
export const Execute = z.object({
  type: z.literal('execute'),
  id: RequestId,
  language: Language,
  code: z.string().max(64 * 1024),
  stdin: z.array(z.string().max(64 * 1024)).max(10_000).default([]),
  /** Run inside this session (created if new); default: the connection's own session. */
  session: SessionId.optional(),
  /** Lower (never raise) the server's limits for this run. */
  limits: z
    .object({
      maxSteps: z.number().int().positive().optional(),
      timeoutMs: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
});

/** Receive a session's frames: everything after `position`, or from the start when absent, then live. */
export const Subscribe = z.object({
  type: z.literal('subscribe'),
  id: RequestId,
  session: SessionId,
  position: Position.optional(),
});

/** Stop receiving a session's frames. */
export const Unsubscribe = z.object({ type: z.literal('unsubscribe'), id: RequestId, session: SessionId });

/** Stop a run started by this connection; it ends with verdict `cancelled`. */
export const Cancel = z.object({ type: z.literal('cancel'), id: RequestId, run: z.string().min(1).max(64) });

export const ClientMessage = z.discriminatedUnion('type', [Execute, Subscribe, Unsubscribe, Cancel]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type Execute = z.infer<typeof Execute>;
export type Subscribe = z.infer<typeof Subscribe>;
export const clientMessageTypes = ClientMessage.options.map((o) => o.shape.type.value);

// ---- server → client: direct replies (no position) -------------------------

/** The run was queued; its frames will appear in `session`. */
export const Accepted = z.object({ type: z.literal('accepted'), id: RequestId, run: z.string(), session: z.string() });

/** The subscription is in place; `position` is where the replay started after (absent: from the start). */
export const Subscribed = z.object({
  type: z.literal('subscribed'),
  id: RequestId,
  session: z.string(),
  position: Position.optional(),
});
export const Unsubscribed = z.object({ type: z.literal('unsubscribed'), id: RequestId, session: z.string() });

/** A request failed; the connection stays open. `id` echoes the request id when one could be read. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  id: RequestId.nullable(),
  code: z.enum(errorCodeList),
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});

// ---- server → client: session log frames (carry `pos`) ---------------------

/** Fields every frame of a session log carries. `pos` is added by the gateway from the log. */
const Logged = { session: z.string(), run: z.string(), pos: Position };

export const RunStarted = z.object({
  type: z.literal('run.started'),
  ...Logged,
  language: Language,
  limits: z.object({ maxSteps: z.number(), timeoutMs: z.number(), memoryMb: z.number(), outputBytes: z.number() }),
});

/** A batch of consecutive steps (see protocol/trace.ts for the step model). */
export const Steps = z.object({ type: z.literal('steps'), ...Logged, steps: z.array(Step) });

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
});

export const LogFrame = z.discriminatedUnion('type', [RunStarted, Steps, Output, RunEnded]);
export const ServerFrame = z.discriminatedUnion('type', [
  Accepted,
  Subscribed,
  Unsubscribed,
  ErrorFrame,
  RunStarted,
  Steps,
  Output,
  RunEnded,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type LogFrame = z.infer<typeof LogFrame>;
export type RunEnded = z.infer<typeof RunEnded>;
export type RunError = z.infer<typeof RunError>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** A log frame as the runner writes it: everything but `pos`, which the log assigns. */
export type UnpositionedFrame = LogFrame extends infer F ? (F extends LogFrame ? Omit<F, 'pos'> : never) : never;
