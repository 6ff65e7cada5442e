/** The transport contract: what the application layer needs of one client connection, filled in by each protocol adapter. */
import type { ServerFrame } from '../../protocol/index.ts';
import type { LogEntry } from '../log/log.ts';

/** A direct answer to a request (never a session-log frame). */
export type Reply = Extract<ServerFrame, { type: 'accepted' | 'subscribed' | 'unsubscribed' | 'session.opened' | 'ok' | 'replay.ended' | 'authenticated' | 'error' }>;

/**
 * One client connection as the application sees it. Each protocol adapter fills this in for its connections (the
 * native MessagePack protocol in server/gateway/peer.ts); the application never sees a socket, a wire format or a
 * topic. Every method may be called after the connection closed, and then does nothing.
 */
export interface Peer {
  /** Unique per connection; the owner of what an anonymous connection starts. */
  readonly id: string;
  /** The client's address (X-Forwarded-For's through a trusted proxy): per-address limits key on it. */
  readonly address: string;
  /** A token the client sent while connecting (Sec-WebSocket-Protocol `bearer.<token>`), verified before its first message. */
  readonly token?: string;
  /** True once the connection is closed: long operations stop early. */
  readonly closed: boolean;
  /** Sends one reply. */
  reply(frame: Reply): void;
  /**
   * Sends session-log entries, in order, each as the frame it holds stamped with its position (encoded once by the
   * runner: a native adapter forwards the bytes). Resolves when the peer can take more, or has closed.
   */
  send(entries: LogEntry[]): Promise<void>;
  /**
   * Follows `session`: every frame after position `after` (START: from the beginning), then live frames, with no
   * gap and no duplicate, until `unsubscribe` or close; replaces an earlier subscription to it. Resolves once the
   * peer has caught up (or closed).
   */
  subscribe(session: string, after: string): Promise<void>;
  /** Stops following `session`; false when it did not follow it. */
  unsubscribe(session: string): boolean;
  follows(session: string): boolean;
  /** Closes the connection with a code from `CloseCodes` (protocol/codes.ts). */
  close(code: number, reason: string): void;
}
