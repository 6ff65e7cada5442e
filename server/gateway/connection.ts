/** Per-connection state kept in uWS user data. */

/** A connection's subscription to one session. */
export interface Subscription {
  session: string;
  /** Position of the last frame sent to this connection while catching up (live frames advance the tail's cursor instead). */
  pos: string;
  /** On the session's uWS topic (live), or being fed from the log (catching up). */
  live: boolean;
}

export interface Conn {
  /** Owner identity of the runs this connection starts (until authentication exists). */
  id: string;
  /** The peer's address: failed join-code attempts are limited per address, not per connection. */
  ip: string;
  /** The session `execute` uses when the message names none; created on first use. */
  ownSession: string | null;
  closed: boolean;
  subs: Map<string, Subscription>;
  /** Resolved by the uWS `drain` event (or close): catch-up waits here when the send buffer is full. */
  drainWaiters: Array<() => void>;
  /** Runs this connection started and that have not ended. */
  runs: Set<string>;
}

export function newConn(id: string, ip: string): Conn {
  return { id, ip, ownSession: null, closed: false, subs: new Map(), drainWaiters: [], runs: new Set() };
}
