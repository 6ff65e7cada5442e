/** Subscription commands — subscribe (by session id or join code), unsubscribe — and replay of a stored run. */
import type { ClientMessageOf, Subscribe } from '../../protocol/index.ts';
import type { TraceArchive } from '../archive/trace-archive.ts';
import { START, compareIds, type SessionLog } from '../log/log.ts';
import type { Runner } from '../runner/runner.ts';
import type { LimitPolicy } from '../limits/policy.ts';
import type { Sessions } from '../sessions/sessions.ts';
import { Refusal, counted, enforce, type Caller } from './caller.ts';

export interface SubscriptionsDeps {
  log: SessionLog;
  sessions: Sessions;
  limitPolicy: LimitPolicy;
  runner: Runner;
  archive: TraceArchive;
}

export function createSubscriptions(deps: SubscriptionsDeps) {
  /** The session a `subscribe` names, and its title when it was opened as one; refused when it names none. */
  async function target(caller: Caller, msg: Subscribe): Promise<{ session: string; title?: string }> {
    if (msg.code === undefined) {
      const session = msg.session!;
      // An opened session is in the store, also before its first frame; a connection's own session is in the log
      // (created with its first run).
      const record = await deps.sessions.get(session);
      if (record) return { session, title: record.title };
      if (await deps.log.exists(session)) return { session };
      throw new Refusal('not_found', `no session ${session}: it was never opened or run in, or it expired`);
    }
    enforce(await deps.limitPolicy.joinAllowed(counted(caller)));
    const record = await deps.sessions.byCode(msg.code);
    if (!record) {
      await deps.limitPolicy.joinFailed(counted(caller));
      throw new Refusal('not_found', `no session has join code ${msg.code}`);
    }
    return { session: record.id, title: record.title };
  }

  async function subscribe(caller: Caller, msg: Subscribe): Promise<void> {
    const { peer } = caller;
    const { session, title } = await target(caller, msg);
    const after = msg.position ?? START;
    const trimmed = await deps.log.trimmedUpTo(session);
    const earliest = (await deps.log.first(session)) ?? undefined;
    if (peer.closed) return;
    if (trimmed !== START && msg.position && compareIds(after, trimmed) < 0) {
      throw new Refusal('position_expired', `frames after ${after} are no longer retained`, earliest ? { earliest } : {});
    }
    // A position the log cannot account for — past its end, or before its first entry with nothing trimmed since —
    // was given out by a log that lost its data (Redis restarted without persistence): the history after it is gone,
    // and resuming there would look like a session with nothing missing.
    if (msg.position) {
      const last = await deps.log.last(session);
      const untrimmedGap = earliest !== undefined && compareIds(after, earliest) < 0 && (trimmed === START || compareIds(trimmed, after) < 0);
      if (last === null || compareIds(after, last) > 0 || untrimmedGap) {
        throw new Refusal('position_expired', `the session's history up to ${after} was lost (the log no longer holds it): subscribe without a position for what is left`, earliest ? { earliest } : {});
      }
    }
    const truncated = trimmed !== START && !msg.position;
    peer.reply({ type: 'subscribed', id: msg.id, session, ...(msg.position ? { position: msg.position } : {}), ...(truncated ? { truncated, earliest } : {}), ...(title !== undefined ? { title } : {}) });
    await peer.subscribe(session, after);
  }

  function unsubscribe(caller: Caller, msg: ClientMessageOf<'unsubscribe'>): void {
    caller.peer.unsubscribe(msg.session);
    caller.peer.reply({ type: 'unsubscribed', id: msg.id, session: msg.session });
  }

  async function replay(caller: Caller, msg: ClientMessageOf<'replay'>): Promise<void> {
    const { peer } = caller;
    // `run.ended` reaches clients just before the run is recorded: a replay asked for at once waits for it.
    await deps.runner.settled(msg.run);
    if (!(await deps.archive.has(msg.run))) throw new Refusal('not_found', `no finished run ${msg.run} is stored`);
    let frames = 0;
    for await (const entries of deps.archive.entries(msg.run)) {
      if (peer.closed) return;
      await peer.send(entries);
      frames += entries.length;
    }
    peer.reply({ type: 'replay.ended', id: msg.id, run: msg.run, frames });
  }

  return { subscribe, unsubscribe, replay };
}
