/** What the gateway does with each validated client message: runs, subscriptions and sessions. */
import type { WebSocket } from 'uWebSockets.js';
import { encode, withPosition, type Benchmark, type ClientMessage, type ErrorCode, type Execute, type Language, type Replay, type Test, type ServerFrame, type Subscribe, type UnpositionedFrame } from '../../protocol/index.ts';
import type { TraceArchive } from '../archive/trace-archive.ts';
import { START, compareIds, type SessionLog } from '../log/log.ts';
import { PROBLEM_LANGUAGES, isProblemLanguage, type Problem } from '../problems/problem.ts';
import { BenchMode } from '../runner/modes/bench-mode.ts';
import { GradeMode } from '../runner/modes/grade-mode.ts';
import type { ModeHandler } from '../runner/modes/mode.ts';
import type { AttemptLimiter } from '../sessions/attempts.ts';
import type { Sessions } from '../sessions/sessions.ts';
import type { Logger } from '../obs/logger.ts';
import type { RunQueue } from '../queue/queue.ts';
import type { RunJob, Runner } from '../runner/runner.ts';
import type { Conn } from './connection.ts';
import type { Fanout } from './fanout.ts';

export interface HandlerDeps {
  log: SessionLog;
  queue: RunQueue;
  runner: Runner;
  fanout: Fanout;
  logger: Logger;
  languages: ReadonlySet<Language>;
  limits: { maxSteps: number; timeoutMs: number };
  newId: () => string;
  /** False once shutdown has begun: new runs are refused with `shutting_down`. */
  accepting: () => boolean;
  sessions: Sessions;
  joinAttempts: AttemptLimiter;
  /** The problem catalog by slug, for `test`. */
  problems: ReadonlyMap<string, Problem>;
  archive: TraceArchive;
}

// A replay waits for the socket to drain past this many buffered bytes.
const REPLAY_BUFFER_BYTES = 1024 * 1024;

/** Sends a direct reply; safe from async code (corked) and after close (dropped). */
export function reply(ws: WebSocket<Conn>, frame: ServerFrame): void {
  if (ws.getUserData().closed) return;
  ws.cork(() => ws.send(encode(frame), true));
}

export function replyError(ws: WebSocket<Conn>, id: string | null | undefined, code: ErrorCode, message: string, extra: { retryAfterMs?: number; earliest?: string } = {}): void {
  reply(ws, { type: 'error', id: id ?? null, code, message, ...extra });
}

export function createHandlers(deps: HandlerDeps) {
  /** Which connection started each queued or running run, to clean up when it ends. */
  const owners = new Map<string, WebSocket<Conn>>();
  /** Connections' own sessions (created by `execute` without a session): session id → connection id. */
  const ownSessions = new Map<string, string>();

  /** May this connection run code in `session`? Answers the error to send, or null. */
  async function mayExecute(conn: Conn, session: string, ownerKey: string | undefined): Promise<[ErrorCode, string] | null> {
    if (session === conn.ownSession) return null;
    const other = ownSessions.get(session);
    if (other !== undefined) return ['forbidden', 'this session belongs to another connection'];
    const { check } = await deps.sessions.checkOwner(session, ownerKey);
    switch (check) {
      case 'ok':
        return null;
      case 'not_found':
        return ['not_found', `no session ${session}: open one with session.open, or omit \`session\` to use this connection's own`];
      case 'forbidden':
        return ['forbidden', 'only the session owner, with its owner key, may run code in this session'];
      case 'closed':
        return ['session_closed', `session ${session} is closed`];
    }
  }

  async function appendSessionFrame(frame: UnpositionedFrame): Promise<void> {
    await deps.log.append(frame.session, [encode(frame)]);
  }

  /** Common path of every run request: checks, session, queue, `accepted`, auto-subscription. */
  async function submitRun(ws: WebSocket<Conn>, msg: Execute | Benchmark | Test, mode?: ModeHandler): Promise<void> {
    const conn = ws.getUserData();
    if (!deps.accepting()) {
      replyError(ws, msg.id, 'shutting_down', 'the server is shutting down; retry on another server or after it restarts');
      return;
    }
    if (!deps.languages.has(msg.language)) {
      replyError(ws, msg.id, 'unsupported_language', `no sandbox image for ${msg.language} on this server; available: ${[...deps.languages].join(', ')}`);
      return;
    }
    if (!msg.session && !conn.ownSession) {
      conn.ownSession = deps.newId();
      ownSessions.set(conn.ownSession, conn.id);
    }
    const session = msg.session ?? conn.ownSession!;
    const refusal = await mayExecute(conn, session, msg.ownerKey);
    if (refusal) {
      replyError(ws, msg.id, ...refusal);
      return;
    }
    const limits = msg.type === 'execute' ? msg.limits : undefined;
    const job: RunJob = {
      run: deps.newId(),
      session,
      owner: conn.id,
      language: msg.language,
      code: msg.code,
      stdin: msg.type === 'execute' ? msg.stdin : [],
      maxSteps: Math.min(deps.limits.maxSteps, limits?.maxSteps ?? Infinity),
      timeoutMs: Math.min(msg.type === 'benchmark' ? Math.max(deps.limits.timeoutMs, msg.budgetMs + 5000) : deps.limits.timeoutMs, limits?.timeoutMs ?? Infinity),
      ...(mode ? { mode } : {}),
    };
    // The caller follows the session from its current end, so it receives this run from its first frame.
    const subscribed = conn.subs.has(session);
    const after = subscribed ? null : ((await deps.log.last(session)) ?? START);
    if (conn.closed) return;
    const admission = deps.queue.submit(job);
    if (!admission.ok) {
      replyError(ws, msg.id, 'busy', 'the run queue is full', { retryAfterMs: admission.retryAfterMs });
      return;
    }
    conn.runs.add(job.run);
    owners.set(job.run, ws);
    reply(ws, { type: 'accepted', id: msg.id, run: job.run, session });
    if (after !== null) await deps.fanout.subscribe(ws, session, after);
  }

  function test(ws: WebSocket<Conn>, msg: Test): Promise<void> | void {
    const problem = deps.problems.get(msg.problem);
    if (!problem) return replyError(ws, msg.id, 'not_found', `no problem ${msg.problem}; known: ${[...deps.problems.keys()].join(', ')}`);
    const language = msg.language;
    if (!isProblemLanguage(language) || !(language in problem.languages)) {
      return replyError(ws, msg.id, 'unsupported_language', `problem ${msg.problem} has no ${language} version`);
    }
    return submitRun(ws, msg, new GradeMode(problem, language, msg.code));
  }

  function cancel(ws: WebSocket<Conn>, id: string | undefined, run: string): void {
    const conn = ws.getUserData();
    if (!conn.runs.has(run)) {
      replyError(ws, id, 'not_found', `no run ${run} started by this connection is queued or running`);
      return;
    }
    const queued = deps.queue.remove(run);
    if (queued) void deps.runner.abandon(queued).finally(() => runEnded(queued));
    else deps.runner.cancel(run, conn.id);
  }

  /** Called when a run has ended (its `run.ended` is in the log). */
  function runEnded(job: RunJob): void {
    const ws = owners.get(job.run);
    owners.delete(job.run);
    ws?.getUserData().runs.delete(job.run);
  }

  async function subscribe(ws: WebSocket<Conn>, msg: Subscribe): Promise<void> {
    const conn = ws.getUserData();
    let session = msg.session;
    if (msg.code) {
      const wait = deps.joinAttempts.retryAfter(conn.ip);
      if (wait > 0) return replyError(ws, msg.id, 'rate_limited', 'too many wrong join codes from this connection', { retryAfterMs: wait });
      const record = await deps.sessions.byCode(msg.code);
      if (!record) {
        deps.joinAttempts.fail(conn.ip);
        return replyError(ws, msg.id, 'not_found', `no session has join code ${msg.code}`);
      }
      session = record.id;
    }
    const after = msg.position ?? START;
    const trimmed = await deps.log.trimmedUpTo(session!);
    const earliest = (await deps.log.first(session!)) ?? undefined;
    if (conn.closed) return;
    if (trimmed !== START && msg.position && compareIds(after, trimmed) < 0) {
      return replyError(ws, msg.id, 'position_expired', `frames after ${after} are no longer retained`, earliest ? { earliest } : {});
    }
    const truncated = trimmed !== START && !msg.position;
    reply(ws, { type: 'subscribed', id: msg.id, session: session!, ...(msg.position ? { position: msg.position } : {}), ...(truncated ? { truncated, earliest } : {}) });
    await deps.fanout.subscribe(ws, session!, after);
  }

  async function sessionMessage(ws: WebSocket<Conn>, msg: Extract<ClientMessage, { type: 'session.open' | 'session.rename' | 'session.close' }>): Promise<void> {
    if (msg.type === 'session.open') {
      const { record, ownerKey } = await deps.sessions.open(msg.title);
      return reply(ws, { type: 'session.opened', id: msg.id, session: record.id, joinCode: record.joinCode, ownerKey, title: record.title });
    }
    const { check } = await deps.sessions.checkOwner(msg.session, msg.ownerKey);
    if (check !== 'ok') {
      const code: ErrorCode = check === 'closed' ? 'session_closed' : check;
      return replyError(ws, msg.id, code, code === 'forbidden' ? 'wrong owner key' : `session ${msg.session}: ${code}`);
    }
    if (msg.type === 'session.rename') {
      await deps.sessions.rename(msg.session, msg.title);
      await appendSessionFrame({ type: 'session.renamed', session: msg.session, title: msg.title });
    } else {
      await deps.sessions.close(msg.session);
      for (const job of deps.runner.activeRuns()) if (job.session === msg.session) deps.runner.cancel(job.run);
      await appendSessionFrame({ type: 'session.closed', session: msg.session });
    }
    reply(ws, { type: 'ok', id: msg.id });
  }

  async function replay(ws: WebSocket<Conn>, msg: Replay): Promise<void> {
    // `run.ended` reaches clients just before the run is recorded: a replay asked for at once waits for it.
    await deps.runner.settled(msg.run);
    if (!(await deps.archive.has(msg.run))) return replyError(ws, msg.id, 'not_found', `no finished run ${msg.run} is stored`);
    const conn = ws.getUserData();
    let frames = 0;
    for await (const entries of deps.archive.entries(msg.run)) {
      if (conn.closed) return;
      ws.cork(() => {
        for (const e of entries) ws.send(withPosition(e.frame, e.id), true);
      });
      frames += entries.length;
      while (!conn.closed && ws.getBufferedAmount() > REPLAY_BUFFER_BYTES) await new Promise<void>((resolve) => conn.drainWaiters.push(resolve));
    }
    reply(ws, { type: 'replay.ended', id: msg.id, run: msg.run, frames });
  }

  async function onMessage(ws: WebSocket<Conn>, msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'execute':
        return submitRun(ws, msg);
      case 'benchmark':
        if (!isProblemLanguage(msg.language)) return replyError(ws, msg.id, 'unsupported_language', `benchmarks run ${PROBLEM_LANGUAGES.join(' and ')} only`);
        return submitRun(ws, msg, new BenchMode(msg));
      case 'test':
        return test(ws, msg);
      case 'replay':
        return replay(ws, msg);
      case 'subscribe':
        return subscribe(ws, msg);
      case 'session.open':
      case 'session.rename':
      case 'session.close':
        return sessionMessage(ws, msg);
      case 'unsubscribe':
        deps.fanout.unsubscribe(ws, msg.session);
        reply(ws, { type: 'unsubscribed', id: msg.id, session: msg.session });
        return;
      case 'cancel':
        return cancel(ws, msg.id, msg.run);
    }
  }

  /** A closed connection's runs are cancelled unless someone else on this gateway watches their session. */
  function onClose(ws: WebSocket<Conn>): void {
    const conn = ws.getUserData();
    deps.fanout.dropConnection(ws);
    if (conn.ownSession) ownSessions.delete(conn.ownSession);
    for (const run of conn.runs) {
      owners.delete(run);
      const job = deps.runner.activeRuns().find((j) => j.run === run);
      const session = job?.session ?? conn.ownSession;
      if (session && deps.fanout.watchers(session) > 0) continue;
      const queued = deps.queue.remove(run);
      if (queued) void deps.runner.abandon(queued);
      else deps.runner.cancel(run);
    }
  }

  return { onMessage, onClose, runEnded };
}
