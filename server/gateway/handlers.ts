/** What the gateway does with each validated client message: execute, subscribe, unsubscribe, cancel. */
import type { WebSocket } from 'uWebSockets.js';
import { encode, type ClientMessage, type ErrorCode, type Execute, type Language, type ServerFrame } from '../../protocol/index.ts';
import { START, type SessionLog } from '../log/log.ts';
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
}

/** Sends a direct reply; safe from async code (corked) and after close (dropped). */
export function reply(ws: WebSocket<Conn>, frame: ServerFrame): void {
  if (ws.getUserData().closed) return;
  ws.cork(() => ws.send(encode(frame), true));
}

export function replyError(ws: WebSocket<Conn>, id: string | null | undefined, code: ErrorCode, message: string, retryAfterMs?: number): void {
  reply(ws, { type: 'error', id: id ?? null, code, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

export function createHandlers(deps: HandlerDeps) {
  /** Which connection started each queued or running run, to clean up when it ends. */
  const owners = new Map<string, WebSocket<Conn>>();

  async function execute(ws: WebSocket<Conn>, msg: Execute): Promise<void> {
    const conn = ws.getUserData();
    if (!deps.accepting()) {
      replyError(ws, msg.id, 'shutting_down', 'the server is shutting down; retry on another server or after it restarts');
      return;
    }
    if (!deps.languages.has(msg.language)) {
      replyError(ws, msg.id, 'unsupported_language', `no sandbox image for ${msg.language} on this server; available: ${[...deps.languages].join(', ')}`);
      return;
    }
    const session = msg.session ?? (conn.ownSession ??= deps.newId());
    const job: RunJob = {
      run: deps.newId(),
      session,
      owner: conn.id,
      language: msg.language,
      code: msg.code,
      stdin: msg.stdin,
      maxSteps: Math.min(deps.limits.maxSteps, msg.limits?.maxSteps ?? Infinity),
      timeoutMs: Math.min(deps.limits.timeoutMs, msg.limits?.timeoutMs ?? Infinity),
    };
    // The caller follows the session from its current end, so it receives this run from its first frame.
    const subscribed = conn.subs.has(session);
    const after = subscribed ? null : ((await deps.log.last(session)) ?? START);
    if (conn.closed) return;
    const admission = deps.queue.submit(job);
    if (!admission.ok) {
      replyError(ws, msg.id, 'busy', 'the run queue is full', admission.retryAfterMs);
      return;
    }
    conn.runs.add(job.run);
    owners.set(job.run, ws);
    reply(ws, { type: 'accepted', id: msg.id, run: job.run, session });
    if (after !== null) await deps.fanout.subscribe(ws, session, after);
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

  async function onMessage(ws: WebSocket<Conn>, msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'execute':
        return execute(ws, msg);
      case 'subscribe':
        reply(ws, { type: 'subscribed', id: msg.id, session: msg.session, ...(msg.position ? { position: msg.position } : {}) });
        return deps.fanout.subscribe(ws, msg.session, msg.position ?? START);
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
