/** A small TypeScript client for tracecast, for the browser (global WebSocket) and Node (pass `ws`). */
import { decode, encode } from './codec.ts';
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
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** Defaults to the global WebSocket (browsers, Node ≥ 22). */
  WebSocket?: WebSocketConstructor;
}

type Listener = (frame: ServerFrame) => void;

export class TracecastClient {
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  /** Resolves when the connection closes, with its close code. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(private readonly socket: WebSocketLike) {
    socket.onmessage = (ev) => {
      const frame = decode(toBytes(ev.data)) as ServerFrame;
      for (const l of this.listeners) l(frame);
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (ev) => resolve({ code: ev.code, reason: ev.reason });
    });
  }

  /** Opens a connection to `url` (`ws://host:port/ws`, or `http://host:port`, to which `/ws` is added). */
  static connect(url: string, options: ClientOptions = {}): Promise<TracecastClient> {
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package)');
    const socket = new WS(toWsUrl(url));
    socket.binaryType = 'arraybuffer';
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new TracecastClient(socket));
      socket.onerror = (ev) => reject(new Error(`cannot connect to ${url}: ${(ev as { message?: string }).message ?? 'connection failed'}`));
    });
  }

  /** Calls `listener` for every frame; returns a function that removes it. */
  onFrame(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a message as MessagePack, with a request id when it has none; returns the id. */
  send(message: ClientMessage): string {
    const id = message.id ?? `r${this.nextId++}`;
    this.socket.send(encode({ ...message, id }));
    return id;
  }

  /** Sends a message and resolves with the first reply carrying its request id (`error` included). */
  request(message: ClientMessage): Promise<ServerFrame> {
    return new Promise((resolve) => {
      let id = '';
      const off = this.onFrame((frame) => {
        if ('id' in frame && frame.id === id) {
          off();
          resolve(frame);
        }
      });
      id = this.send(message);
    });
  }

  close(): void {
    this.socket.close(1000, 'bye');
  }
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
