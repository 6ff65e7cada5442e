/** The application layer: the handler of every client message type, one table dispatching them, and the connection lifecycle every protocol adapter drives. */
import { CloseCodes, type ClientMessage, type ClientMessageOf, type ClientMessageType } from '../../protocol/index.ts';
import type { Logger } from '../obs/logger.ts';
import type { RefusedLimit } from '../obs/metrics.ts';
import { ownerOf } from '../auth/identity.ts';
import { createAuth, type AuthDeps } from './auth.ts';
import { Refusal, counted, enforce, type Caller } from './caller.ts';
import { createRuns, type RunsDeps } from './runs.ts';
import { createSessionCommands, type SessionCommandsDeps } from './sessions.ts';
import { createSubscriptions, type SubscriptionsDeps } from './subscriptions.ts';
import type { Peer } from './transport.ts';

export interface AppDeps extends RunsDeps, Omit<SessionCommandsDeps, 'cancelRuns' | 'mode'>, SubscriptionsDeps, AuthDeps {
  logger: Logger;
  /** Called when an owner's last connection closes: it owns nothing any more (e.g. containers kept for its next run). */
  forgetOwner: (owner: string) => void;
}

/** A command: what one message type does for a caller. It answers on `caller.peer`, or throws a `Refusal`. */
export type Handler<T extends ClientMessageType> = (caller: Caller, msg: ClientMessageOf<T>) => Promise<void> | void;

/** How a message was handled: `ok`, or the error code it was answered with, and the limit that refused it if one did. */
export interface Handled {
  outcome: string;
  limit?: RefusedLimit;
}

/**
 * What a protocol adapter calls: `connect` when a connection opens, `handle` for each message it has decoded and
 * validated, `disconnect` once when it closes (after the adapter has dropped its subscriptions).
 */
export interface Application {
  connect(peer: Peer): Caller;
  /** Handles one message; every failure is answered on the peer (an `error` reply), so this never rejects. */
  handle(caller: Caller, msg: ClientMessage): Promise<Handled>;
  disconnect(caller: Caller): void;
}

export function createApp(deps: AppDeps) {
  const runs = createRuns(deps);
  const sessions = createSessionCommands({ ...deps, cancelRuns: runs.cancelSession, mode: deps.auth.mode });
  const auth = createAuth(deps);
  const subscriptions = createSubscriptions(deps);
  // `satisfies`: a message type of protocol/messages.ts without a handler here does not compile.
  const handlers = {
    execute: runs.execute,
    benchmark: runs.benchmark,
    test: runs.test,
    cancel: runs.cancel,
    'session.open': sessions.open,
    'session.rename': sessions.rename,
    'session.close': sessions.close,
    subscribe: subscriptions.subscribe,
    unsubscribe: subscriptions.unsubscribe,
    replay: subscriptions.replay,
    auth: auth.auth,
  } satisfies { [T in ClientMessageType]: Handler<T> };
  const callers = new Set<Caller>();

  const app: Application = {
    connect(peer) {
      const caller: Caller = { peer, identity: null, owner: ownerOf(null, peer.id), authenticating: null, ownSession: null, runs: new Set() };
      callers.add(caller);
      auth.connected(caller);
      return caller;
    },

    async handle(caller, msg) {
      // The table's keys are the message types, so this is the handler of `msg`'s own type (TypeScript cannot relate the two).
      const handler = handlers[msg.type] as Handler<ClientMessageType>;
      try {
        await auth.check(caller, msg);
        enforce(await deps.limitPolicy.message(counted(caller)));
        await handler(caller, msg);
        return { outcome: 'ok' };
      } catch (err) {
        if (err instanceof Refusal) {
          caller.peer.reply({ type: 'error', id: msg.id ?? null, code: err.code, message: err.message, ...err.extra });
          return { outcome: err.code, ...(err.limit ? { limit: err.limit } : {}) };
        }
        deps.logger.error('handling message failed', { type: msg.type, requestId: msg.id, conn: caller.peer.id, err });
        caller.peer.reply({ type: 'error', id: msg.id ?? null, code: 'internal', message: 'the server failed to handle this message; it is logged' });
        return { outcome: 'internal' };
      }
    },

    disconnect(caller) {
      callers.delete(caller);
      runs.disconnect(caller);
      // A user's containers stay while another of its connections is open; an anonymous owner is gone for good.
      if (![...callers].some((c) => c.owner === caller.owner)) deps.forgetOwner(caller.owner);
      // It may have run anonymously before its `auth`.
      const anonymous = ownerOf(null, caller.peer.id);
      if (caller.owner !== anonymous) deps.forgetOwner(anonymous);
    },
  };

  return {
    ...app,
    /** Ends a job the queue dropped (at shutdown) with `run.ended` `cancelled`. */
    abandon: runs.abandon,
    /** Closes every connection, for shutdown: clients reconnect elsewhere and resume. */
    closeAll(): void {
      for (const caller of callers) caller.peer.close(CloseCodes.shutdown, 'server shutting down');
    },
  };
}
