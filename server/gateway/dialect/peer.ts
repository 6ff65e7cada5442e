/** The Algorithm Dashboard dialect's Peer: seed messages in, JSON text out — replies worded per request, session frames translated, EXECUTION_STEPs paced when asked; subscriptions as the native peer's. */
import type { WebSocket } from 'uWebSockets.js';
import type { ClientMessage } from '../../../protocol/index.ts';
import type { Reply } from '../../app/transport.ts';
import type { LogEntry } from '../../log/log.ts';
import type { Conn, DialectOut } from '../connection.ts';
import type { Fanout } from '../fanout.ts';
import { SocketPeer } from '../peer.ts';
import { SEED_TYPES, seedRequest, type RequestKind, type SeedType } from './decode.ts';
import { STEP_PREFIX, SessionTranslator } from './translate.ts';

/** A paced connection holds at most this many messages; EXECUTION_STEPs past it are dropped (the rest never are). */
const MAX_QUEUED = 10_000;

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** How the gateway counts a message in its metrics, and the native message to hand to the application, if any. */
export interface Received {
  type: string;
  outcome: string;
  message: ClientMessage | null;
}

export class DialectPeer extends SocketPeer implements DialectOut {
  /** What each native request id this peer sent asks, to word its reply. */
  private readonly kinds = new Map<string, RequestKind>();
  private nextRequest = 0;
  private delayMs = 0;
  private pacing = false;
  private queue: string[] = [];
  private head = 0;
  private lastStepAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(ws: WebSocket<Conn>, fanout: Fanout) {
    super(ws, fanout);
    this.conn.dialect = this;
  }

  /** Live messages go through this peer's queue once it has been asked to pace (and stay so: see Fanout.pace). */
  get paced(): boolean {
    return this.pacing;
  }

  /** Reads one WebSocket message; answers what it cannot hand on itself. `data` is only valid during the call. */
  receive(data: ArrayBuffer, isBinary: boolean, maxBytes: number): Received {
    const refuse = (outcome: string, message: string): Received => {
      this.sendNow([JSON.stringify({ type: 'error', message })]);
      return { type: 'invalid', outcome, message: null };
    };
    if (data.byteLength > maxBytes) return refuse('too_large', `the message is ${data.byteLength} bytes; the limit is ${maxBytes}`);
    if (isBinary) return refuse('bad_encoding', 'this connection speaks the Algorithm Dashboard dialect: send JSON text messages');
    let raw: unknown;
    try {
      raw = JSON.parse(textDecoder.decode(data));
    } catch (err) {
      return refuse('bad_encoding', `invalid JSON: ${(err as Error).message}`);
    }
    const type = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { type?: unknown }).type : undefined;
    if (!(SEED_TYPES as readonly unknown[]).includes(type)) {
      return refuse('unknown_type', `unknown message type ${JSON.stringify(type) ?? 'undefined'}; known: ${SEED_TYPES.join(', ')}`);
    }
    const id = `d${++this.nextRequest}`;
    const request = seedRequest(raw as { type: SeedType } & Record<string, unknown>, id);
    if (!request.ok) {
      this.refuse(request.kind, request.error, 'invalid_message');
      return { type: type as string, outcome: 'invalid_message', message: null };
    }
    if (request.stepDelayMs !== undefined) this.pace(request.stepDelayMs);
    if (!request.message) {
      // A SUBSCRIBE naming no session: this connection's own runs reach it anyway.
      this.sendNow([JSON.stringify({ type: 'SUBSCRIBED', session: null })]);
    } else {
      this.kinds.set(id, request.kind);
    }
    return { type: type as string, outcome: 'ok', message: request.message };
  }

  override reply(frame: Reply): void {
    if (this.conn.closed) return;
    const kind = frame.id ? this.kinds.get(frame.id) : undefined;
    if (frame.id) this.kinds.delete(frame.id);
    switch (frame.type) {
      case 'subscribed':
        this.sendNow([JSON.stringify({ type: 'SUBSCRIBED', session: frame.session, ...(frame.truncated ? { truncated: true } : {}) })]);
        return;
      case 'error':
        this.refuse(kind ?? null, frame.message, frame.code);
        return;
      default:
        // `accepted`: the run's own frames announce it (EXECUTION_STARTED, BENCHMARK_STARTED…), to every watcher
        // alike. The dialect sends nothing that the other replies answer.
        return;
    }
  }

  /** A refused request, worded as the dashboard expects for its kind. */
  private refuse(kind: RequestKind | null, error: string, code: string): void {
    const timestamp = Date.now();
    const text =
      kind === 'execute'
        ? { type: 'EXECUTION_ERROR', executionId: null, error, code, timestamp }
        : kind === 'benchmark'
          ? { type: 'BENCHMARK_ERROR', benchmarkId: null, inputSize: null, error, code, timestamp }
          : kind === 'test'
            ? { type: 'TESTS_ERROR', testId: null, error, code, timestamp }
            : { type: 'error', message: error, code };
    this.sendNow([JSON.stringify(text)]);
  }

  override async send(entries: LogEntry[]): Promise<void> {
    const translator = new SessionTranslator();
    this.deliver(entries.flatMap((e) => translator.translate(e)));
    await this.drained();
  }

  override close(code: number, reason: string): void {
    this.dropQueue();
    super.close(code, reason);
  }

  /** Session messages, in order: at once, or through the pacing queue once pacing was asked for. */
  deliver(texts: string[]): void {
    if (texts.length === 0 || this.conn.closed) return;
    if (!this.pacing) return this.sendNow(texts);
    for (const text of texts) {
      if (this.queue.length - this.head >= MAX_QUEUED && text.startsWith(STEP_PREFIX)) continue;
      this.queue.push(text);
    }
    this.pump();
  }

  /** Sets the pause between EXECUTION_STEPs; the first pause asked for moves this connection to its own queue. */
  private pace(delayMs: number): void {
    this.delayMs = delayMs;
    if (delayMs > 0 && !this.pacing) {
      this.pacing = true;
      this.fanout.pace(this.ws);
    }
  }

  /** Sends queued messages up to the next EXECUTION_STEP that is not due yet, and schedules the rest. */
  private pump(): void {
    if (this.timer || this.conn.closed) return;
    const out: string[] = [];
    while (this.head < this.queue.length) {
      const text = this.queue[this.head];
      if (text.startsWith(STEP_PREFIX)) {
        const wait = this.lastStepAt + this.delayMs - performance.now();
        if (wait > 0) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.pump();
          }, wait);
          break;
        }
        this.lastStepAt = performance.now();
      }
      out.push(text);
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    this.sendNow(out);
  }

  private dropQueue(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.head = 0;
  }

  private sendNow(texts: string[]): void {
    if (texts.length === 0 || this.conn.closed) return;
    this.ws.cork(() => {
      for (const text of texts) this.ws.send(text, false);
    });
  }
}
