/** The native protocol's Peer: replies encoded as MessagePack, log frames forwarded as the runner encoded them, subscriptions through the fan-out's uWS topics. */
import type { WebSocket } from 'uWebSockets.js';
import { encode, withPosition } from '../../protocol/codec.ts';
import type { Peer, Reply } from '../app/transport.ts';
import type { LogEntry } from '../log/log.ts';
import type { Conn } from './connection.ts';
import type { Fanout } from './fanout.ts';

// `send` waits for the socket to drain past this many buffered bytes.
const SEND_BUFFER_BYTES = 1024 * 1024;

export class SocketPeer implements Peer {
  protected readonly conn: Conn;

  constructor(
    protected readonly ws: WebSocket<Conn>,
    protected readonly fanout: Fanout,
  ) {
    this.conn = ws.getUserData();
  }

  get id(): string {
    return this.conn.id;
  }

  get address(): string {
    return this.conn.ip;
  }

  get token(): string | undefined {
    return this.conn.token;
  }

  get closed(): boolean {
    return this.conn.closed;
  }

  /** Safe from async code (corked). */
  reply(frame: Reply): void {
    if (this.conn.closed) return;
    this.ws.cork(() => this.ws.send(encode(frame), true));
  }

  async send(entries: LogEntry[]): Promise<void> {
    const { ws, conn } = this;
    if (conn.closed) return;
    ws.cork(() => {
      for (const e of entries) ws.send(withPosition(e.frame, e.id), true);
    });
    await this.drained();
  }

  /** Resolves once the socket's send buffer is below SEND_BUFFER_BYTES, or it has closed. */
  protected async drained(): Promise<void> {
    const { ws, conn } = this;
    while (!conn.closed && ws.getBufferedAmount() > SEND_BUFFER_BYTES) await new Promise<void>((resolve) => conn.drainWaiters.push(resolve));
  }

  async subscribe(session: string, after: string): Promise<void> {
    if (!this.conn.closed) await this.fanout.subscribe(this.ws, session, after);
  }

  unsubscribe(session: string): boolean {
    return this.fanout.unsubscribe(this.ws, session);
  }

  follows(session: string): boolean {
    return this.conn.subs.has(session);
  }

  close(code: number, reason: string): void {
    if (!this.conn.closed) this.ws.end(code, reason);
  }
}
