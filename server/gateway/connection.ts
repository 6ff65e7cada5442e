/** Per-connection state kept in uWS user data. */
import type { Caller } from '../app/caller.ts';

/** A connection's subscription to one session. */
export interface Subscription {
  session: string;
  /** Position of the last frame sent to this connection while catching up (live frames advance the tail's cursor instead). */
  pos: string;
  /** On the session's uWS topic (live), or being fed from the log (catching up). */
  live: boolean;
}

export interface Conn {
  id: string;
  /** The peer's address, as the socket reports it. */
  ip: string;
  closed: boolean;
  subs: Map<string, Subscription>;
  /** Resolved by the uWS `drain` event (or close): catch-up and replay wait here when the send buffer is full. */
  drainWaiters: Array<() => void>;
  /** The application's context for this connection, from `open` on (no message arrives before it). */
  caller: Caller | null;
}

export function newConn(id: string, ip: string): Conn {
  return { id, ip, closed: false, subs: new Map(), drainWaiters: [], caller: null };
}
