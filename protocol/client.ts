/** A small TypeScript client for tracecast, for the browser (global WebSocket) and Node (pass `ws`). */
import { decodeServerFrame, encode } from './codec.ts';
import type { ClientMessage, ServerFrame } from './messages.ts';

/** The subset of the WebSocket API the client uses (browser WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

export interface ClientOptions {
  /** Defaults to the global WebSocket (browsers, Node ≥ 22). */
  WebSocket?: WebSocketConstructor;
  /**
   * Reconnect after an unexpected close (anything but a close by this client), trying the
   * given URLs in turn with exponential backoff, and resume every subscription from the
   * last position received: no frame is lost or delivered twice.
   */
  reconnect?: boolean;
  /** First and largest wait between reconnection attempts (ms). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * A JSON Web Token for a server with TRACECAST_AUTH on, or a function giving the current one (called for every
   * connection, reconnects included, so a page can hand over a refreshed token). It travels as the offered
   * subprotocol `bearer.<token>`, which the server verifies before the connection's first message, so resumed
   * subscriptions are never refused for want of an `auth` that has not arrived yet.
   */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
}

type Listener = (frame: ServerFrame) => void;

export class TracecastClient {
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  private socket: WebSocketLike;
  private closedByUser = false;
  private attempt = 0;
  /** Subscribed sessions and the last position received in each: what a reconnect resumes. */
  private readonly positions = new Map<string, string | undefined>();
  /** Request ids of `join`s waiting for their `subscribed`, which names the session to follow. */
  private readonly joining = new Set<string>();
  /** Resolves when the connection is closed for good (by `close()`, or unexpectedly without `reconnect`). */
  readonly closed: Promise<{ code: number; reason: string }>;
  private resolveClosed!: (v: { code: number; reason: string }) => void;

  private constructor(
    socket: WebSocketLike,
    private readonly urls: string[],
    private readonly options: ClientOptions,
  ) {
    this.socket = socket;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.attach(socket);
  }

  /** Opens a connection to `url` (`ws://host:port/ws`, or `http://host:port`, to which `/ws` is added); several URLs are tried in turn on reconnects. */
  static async connect(url: string | string[], options: ClientOptions = {}): Promise<TracecastClient> {
    const urls = (Array.isArray(url) ? url : [url]).map(toWsUrl);
    return new TracecastClient(await open(urls[0], options), urls, options);
  }

  private attach(socket: WebSocketLike): void {
    socket.onmessage = (ev) => {
      const frame = decodeServerFrame(toBytes(ev.data));
      if (frame.type === 'subscribed' && frame.id !== undefined && this.joining.delete(frame.id)) this.positions.set(frame.session, undefined);
      if ('pos' in frame && this.positions.has(frame.session)) this.positions.set(frame.session, frame.pos);
      for (const l of this.listeners) l(frame);
    };
    socket.onclose = (ev) => {
      if (this.closedByUser || !this.options.reconnect) return this.resolveClosed({ code: ev.code, reason: ev.reason });
      void this.reconnect();
    };
  }

  private async reconnect(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 5000 };
    for (;;) {
      const wait = Math.min(maxMs, initialMs * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, wait));
      if (this.closedByUser) return;
      const url = this.urls[++this.attempt % this.urls.length];
      try {
        this.socket = await open(url, this.options);
      } catch {
        continue;
      }
      this.attempt = 0;
      this.attach(this.socket);
      for (const [session, position] of this.positions) this.send({ type: 'subscribe', session, ...(position ? { position } : {}) });
      return;
    }
  }

  /** Calls `listener` for every frame; returns a function that removes it. */
  onFrame(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a message as MessagePack, with a request id when it has none; returns the id. */
  send(message: ClientMessage | Record<string, unknown>): string {
    const m = message as { id?: string };
    const id = m.id ?? `r${this.nextId++}`;
    this.socket.send(encode({ ...message, id }));
    return id;
  }

  /** Follows a session (from `position`, or from the start) and keeps following it across reconnects. */
  subscribe(session: string, position?: string): string {
    this.positions.set(session, position);
    return this.send({ type: 'subscribe', session, ...(position ? { position } : {}) });
  }

  /** Follows the session with join code `code` (read-only) and keeps following it, by its id, across reconnects; resolves with the reply. */
  join(code: string): Promise<ServerFrame> {
    return this.request({ type: 'subscribe', code }, (id) => this.joining.add(id));
  }

  /**
   * Sends `auth` with `token` on this connection (refresh in band before the old one's `expiresAt`); resolves with
   * `authenticated` or the `error`. Later reconnects present `options.token`, so pass a function there to keep them current.
   */
  authenticate(token: string): Promise<ServerFrame> {
    return this.request({ type: 'auth', token });
  }

  /** Sends a message and resolves with the first reply carrying its request id (`error` included). */
  request(message: ClientMessage | Record<string, unknown>, beforeSend?: (id: string) => void): Promise<ServerFrame> {
    const m = message as { id?: string };
    const id = m.id ?? `r${this.nextId++}`;
    beforeSend?.(id);
    return new Promise((resolve) => {
      const off = this.onFrame((frame) => {
        if ('id' in frame && frame.id === id) {
          off();
          resolve(frame);
        }
      });
      this.send({ ...message, id });
    });
  }

  close(): void {
    this.closedByUser = true;
    this.socket.close(1000, 'bye');
  }
}

async function open(url: string, options: ClientOptions): Promise<WebSocketLike> {
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package)');
  const token = typeof options.token === 'function' ? await options.token() : options.token;
  // A client that offers subprotocols fails unless the server selects one: `tracecast` is the one it selects.
  const socket = token ? new WS(url, ['tracecast', `bearer.${token}`]) : new WS(url);
  socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(socket);
    socket.onerror = (ev) => reject(new Error(`cannot connect to ${url}: ${(ev as { message?: string }).message ?? 'connection failed'}`));
  });
}

export function toWsUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  return u.toString();
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new Error('the server sent a text frame; tracecast frames are binary');
}
