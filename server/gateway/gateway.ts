/** The uWebSockets.js gateway: `/ws` (each connection's protocol adapter — native, or the Algorithm Dashboard dialect — then the application layer), `/health` (`/live`, `/ready`), `/metrics` and the JSON API (`/api/…`, CORS) over HTTP. */
import uWS from 'uWebSockets.js';
import type { HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import { CloseCodes, type ClientMessage } from '../../protocol/index.ts';
import type { Cors } from '../api/cors.ts';
import type { Application } from '../app/app.ts';
import type { Caller } from '../app/caller.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { ReadinessReport } from '../obs/readiness.ts';
import { newConn, type Conn } from './connection.ts';
import { decodeMessage } from './decode.ts';
import { parseSeed } from './dialect/decode.ts';
import { DialectPeer } from './dialect/peer.ts';
import type { Fanout } from './fanout.ts';
import { SocketPeer } from './peer.ts';
import type { StaticSite } from './static.ts';

export interface GatewayOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Bytes uWS may buffer per socket; kept far above the fan-out's soft limit so uWS never drops a frame. */
  maxBackpressure: number;
  /** The client's address from the socket's and X-Forwarded-For (server/limits/client-address.ts). */
  clientAddress: (socket: string, forwardedFor: string) => string;
  /** TRACECAST_AUTH=required: a connection without a valid token this long after opening is closed (4003). */
  authDeadlineMs: number | null;
}

export interface GatewayHooks {
  /** What each decoded message is handed to. */
  app: Application;
  /** Session subscriptions of this gateway's connections (built on `Gateway.app`, so after construction). */
  fanout: Fanout;
  health(): Record<string, unknown>;
  /** GET /health/ready: 200 when ready for traffic, else 503 (server/obs/readiness.ts). */
  ready(): Promise<ReadinessReport>;
  /** Which other origins may read /api/* (TRACECAST_CORS_ORIGINS). */
  cors: Cors;
  /** GET /api/…: the JSON API (server/api/rest.ts); `authorization` is the request's header ('' when absent). */
  api(path: string, req: { authorization: string }): Promise<{ status: number; body: unknown }>;
  /** Every other GET: the viewer's pages and assets (server/gateway/static.ts). */
  site: StaticSite;
  /** Whether a new connection from `address` is let in, or after how long it may come back. */
  admit(address: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 204: '204 No Content', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found', 503: '503 Service Unavailable' };

// Messages between the close limit and this many times it are read, then closed with 1009; uWS drops a connection
// whose message passes maxPayloadLength without a close frame, so that is set above the close limit.
const READ_BEYOND_CLOSE_LIMIT = 4;

export class Gateway {
  readonly app: TemplatedApp = uWS.App();
  private listenSocket: us_listen_socket | null = null;
  private hooks: GatewayHooks | null = null;
  /** Open connections that have not sent a message: the application does not know them until they pick a protocol. */
  private readonly unspoken = new Set<WebSocket<Conn>>();

  constructor(
    private readonly options: GatewayOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly newId: () => string,
  ) {}

  /** Installs the routes (the fan-out needs the uWS app, so they come after construction). */
  route(hooks: GatewayHooks): void {
    this.hooks = hooks;
    const { options, metrics } = this;
    const { app, fanout } = hooks;
    // Past `closeLimit` a message costs the connection; up to it, only an `error` frame (too_large).
    const closeLimit = Math.max(options.maxMessageBytes * 4, 1024 * 1024);
    this.app.ws<Conn>('/ws', {
      maxPayloadLength: closeLimit * READ_BEYOND_CLOSE_LIMIT,
      maxBackpressure: options.maxBackpressure,
      closeOnBackpressureLimit: 0,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        // Browsers cannot set headers on a WebSocket: a token may come as an offered subprotocol `bearer.<token>`,
        // which is never echoed back (another offered protocol is, if any).
        const offered = req.getHeader('sec-websocket-protocol').split(',').map((p) => p.trim()).filter(Boolean);
        const token = offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
        const address = options.clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'));
        res.upgrade(
          newConn(this.newId(), address, token),
          req.getHeader('sec-websocket-key'),
          offered.find((p) => !p.startsWith('bearer.')) ?? '',
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        this.unspoken.add(ws);
        metrics.connections.inc();
        metrics.connectionsTotal.inc();
        const conn = ws.getUserData();
        void hooks.admit(conn.ip).then(
          (admitted) => {
            if (admitted.ok || conn.closed) return;
            metrics.refusals.inc({ limit: 'connections_per_address' });
            ws.end(CloseCodes.rateLimited, `too many connections from this address; retry after ${admitted.retryAfterMs} ms`);
          },
          (err) => this.logger.error('connection limit check failed', { err }),
        );
        if (options.authDeadlineMs !== null) {
          setTimeout(() => {
            if (!conn.closed && !conn.caller?.identity) ws.end(CloseCodes.unauthenticated, 'no valid token within the deadline: send `auth` first');
          }, options.authDeadlineMs).unref();
        }
      },
      message: (ws, data, isBinary) => {
        if (data.byteLength > closeLimit) {
          metrics.messages.inc({ type: 'invalid', outcome: 'too_large' });
          metrics.refusals.inc({ limit: 'message_close' });
          ws.end(CloseCodes.tooLarge, 'message too big');
          return;
        }
        const conn = ws.getUserData();
        if (!conn.spoke) {
          conn.spoke = true;
          this.unspoken.delete(ws);
          // No option to set: JSON text of one of the seed's types is the dialect, for the connection's whole life.
          const dialect = !isBinary && data.byteLength <= options.maxMessageBytes && parseSeed(Buffer.from(data).toString('utf8')) !== null;
          conn.caller = app.connect(dialect ? new DialectPeer(ws, fanout) : new SocketPeer(ws, fanout));
        }
        const caller = conn.caller!;
        if (caller.peer instanceof DialectPeer) {
          const { type, outcome, message } = caller.peer.receive(data, isBinary, options.maxMessageBytes);
          metrics.messages.inc({ type, outcome });
          if (outcome === 'too_large') metrics.refusals.inc({ limit: 'message_bytes' });
          if (message) this.handle(caller, message);
          return;
        }
        const decoded = decodeMessage(data, isBinary, options.maxMessageBytes);
        if (!decoded.ok) {
          metrics.messages.inc({ type: 'invalid', outcome: decoded.error.code });
          if (decoded.error.code === 'too_large') metrics.refusals.inc({ limit: 'message_bytes' });
          caller.peer.reply(decoded.error);
          return;
        }
        metrics.messages.inc({ type: decoded.message.type, outcome: 'ok' });
        this.handle(caller, decoded.message);
      },
      drain: (ws) => {
        for (const wake of ws.getUserData().drainWaiters.splice(0)) wake();
      },
      close: (ws) => {
        const conn = ws.getUserData();
        conn.closed = true;
        this.unspoken.delete(ws);
        metrics.connections.dec();
        for (const wake of conn.drainWaiters.splice(0)) wake();
        // Subscriptions go first: the application counts who still watches a session when deciding a run's fate.
        fanout.dropConnection(ws);
        if (conn.caller) app.disconnect(conn.caller);
      },
    });
    this.app.get('/health', (res) => {
      res.writeHeader('content-type', 'application/json').end(JSON.stringify(hooks.health()));
    });
    // Liveness says only that the process answers (restart it if not); readiness, whether to send it traffic.
    this.app.get('/health/live', (res) => {
      res.writeHeader('content-type', 'application/json').end('{"status":"live"}');
    });
    this.app.get('/health/ready', (res) => this.readyResponse(res));
    this.app.get('/metrics', (res) => this.metricsResponse(res));
    this.app.get('/api/*', (res, req) => this.apiResponse(res, req.getUrl(), req.getHeader('origin'), req.getHeader('authorization')));
    this.app.options('/api/*', (res, req) => {
      const { status, headers, reason } = hooks.cors.preflight(req.getHeader('origin'), req.getHeader('access-control-request-method'), req.getHeader('access-control-request-headers'));
      res.writeStatus(STATUS_TEXT[status] ?? String(status));
      for (const [k, v] of headers) res.writeHeader(k, v);
      if (reason) res.writeHeader('content-type', 'application/json').end(JSON.stringify({ error: 'cors_refused', message: reason }));
      else res.end();
    });
    this.app.get('/*', (res, req) => hooks.site.serve(res, req));
    this.app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end('not found\n');
    });
  }

  /** Hands a decoded message to the application, counting how it was handled (every adapter's the same way). */
  private handle(caller: Caller, message: ClientMessage): void {
    const t0 = performance.now();
    void this.hooks!.app.handle(caller, message).then(({ outcome, limit }) => {
      this.metrics.messagesHandled.inc({ type: message.type, outcome });
      this.metrics.messageSeconds.observe({ type: message.type }, (performance.now() - t0) / 1000);
      if (limit) this.metrics.refusals.inc({ limit });
    });
  }

  private apiResponse(res: HttpResponse, path: string, origin: string, authorization: string): void {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    const cors = this.hooks!.cors.responseHeaders(origin);
    const respond = (status: string, body: string) =>
      res.cork(() => {
        res.writeStatus(status);
        for (const [k, v] of cors) res.writeHeader(k, v);
        res.writeHeader('content-type', 'application/json').end(body);
      });
    this.hooks!.api(path, { authorization }).then(
      ({ status, body }) => {
        if (!aborted) respond(STATUS_TEXT[status] ?? String(status), JSON.stringify(body));
      },
      (err) => {
        this.logger.error('api request failed', { path, err });
        if (!aborted) respond('500 Internal Server Error', '{"error":"internal_error"}');
      },
    );
  }

  private readyResponse(res: HttpResponse): void {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    this.hooks!.ready().then(
      (report) => {
        if (aborted) return;
        res.cork(() => res.writeStatus(report.ready ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(JSON.stringify(report)));
      },
      (err) => {
        this.logger.error('readiness check failed', { err });
        if (!aborted) res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('content-type', 'application/json').end('{"ready":false,"status":"not_ready"}'));
      },
    );
  }

  private metricsResponse(res: HttpResponse): void {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    this.metrics.registry.metrics().then(
      (text) => {
        if (aborted) return;
        res.cork(() => res.writeHeader('content-type', this.metrics.registry.contentType).end(text));
      },
      (err) => {
        this.logger.error('metrics collection failed', { err });
        if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
      },
    );
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    if (!this.hooks) throw new Error('Gateway.listen before route()');
    return new Promise((resolve, reject) => {
      this.app.listen(this.options.host, this.options.port, (socket) => {
        if (!socket) return reject(new Error(`cannot listen on ${this.options.host}:${this.options.port}`));
        this.listenSocket = socket;
        resolve(uWS.us_socket_local_port(socket));
      });
    });
  }

  /**
   * Stops accepting connections. Those that have not sent a message yet are closed (shutdown: the application, which
   * closes the others, never knew them); the rest stay until the application closes them.
   */
  stopListening(): void {
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
    for (const ws of [...this.unspoken]) ws.end(CloseCodes.shutdown, 'server shutting down');
  }
}
