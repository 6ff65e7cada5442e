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

/** How a connection speaking the Algorithm Dashboard's dialect takes session frames, translated (dialect/peer.ts). */
export interface DialectOut {
  /** Live messages go through `deliver` (paced) rather than the session's translated topic. */
  readonly paced: boolean;
  /** Sends translated messages, in order. */
  deliver(texts: string[]): void;
}

export interface Conn {
  id: string;
  /** The client's address: the socket's, or X-Forwarded-For's when the socket is a trusted proxy's. */
  ip: string;
  /** A bearer token offered in Sec-WebSocket-Protocol (never logged). */
  token?: string;
  closed: boolean;
  subs: Map<string, Subscription>;
  /** Resolved by the uWS `drain` event (or close): catch-up and replay wait here when the send buffer is full. */
  drainWaiters: Array<() => void>;
  /** The application's context for this connection, from its first message on (which picks its protocol adapter). */
  caller: Caller | null;
  /** False until the first message, which decides the protocol the connection speaks. */
  spoke: boolean;
  /** Set when the connection speaks the dialect: session frames reach it translated. */
  dialect: DialectOut | null;
}

export function newConn(id: string, ip: string, token?: string): Conn {
  return { id, ip, ...(token ? { token } : {}), closed: false, subs: new Map(), drainWaiters: [], caller: null, spoke: false, dialect: null };
}
