/** The uWebSockets.js gateway: `/ws` for the protocol, `/health`, `/metrics` and the JSON API (`/api/…`) over HTTP. */
import uWS from 'uWebSockets.js';
import type { HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import { CloseCodes, type ClientMessage } from '../../protocol/index.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { newConn, type Conn } from './connection.ts';
import { decodeMessage } from './decode.ts';
import { replyError } from './handlers.ts';
import type { StaticSite } from './static.ts';

export interface GatewayOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Bytes uWS may buffer per socket; kept far above the fan-out's soft limit so uWS never drops a frame. */
  maxBackpressure: number;
}

export interface GatewayHooks {
  onMessage(ws: WebSocket<Conn>, msg: ClientMessage): Promise<void>;
  onClose(ws: WebSocket<Conn>): void;
  health(): Record<string, unknown>;
  /** GET /api/…: the JSON API (server/api/rest.ts). */
  api(path: string): Promise<{ status: number; body: unknown }>;
  /** Every other GET: the viewer's pages and assets (server/gateway/static.ts). */
  site: StaticSite;
}

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 404: '404 Not Found' };

export class Gateway {
  readonly app: TemplatedApp = uWS.App();
  private listenSocket: us_listen_socket | null = null;
  private readonly sockets = new Set<WebSocket<Conn>>();
  private hooks: GatewayHooks | null = null;

  constructor(
    private readonly options: GatewayOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly newId: () => string,
  ) {}

  /** Installs the message handlers (they need the app for fan-out, so they come after construction). */
  route(hooks: GatewayHooks): void {
    this.hooks = hooks;
    const { options, metrics, logger } = this;
    this.app.ws<Conn>('/ws', {
      // uWS closes a connection whose message exceeds maxPayloadLength; the protocol limit is enforced
      // below it with an `error` frame instead, so only absurd messages cost the connection.
      maxPayloadLength: Math.max(options.maxMessageBytes * 4, 1024 * 1024),
      maxBackpressure: options.maxBackpressure,
      closeOnBackpressureLimit: 0,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        res.upgrade(
          newConn(this.newId(), Buffer.from(res.getRemoteAddressAsText()).toString()),
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        this.sockets.add(ws);
        metrics.connections.inc();
        metrics.connectionsTotal.inc();
      },
      message: (ws, data, isBinary) => {
        const decoded = decodeMessage(data, isBinary, options.maxMessageBytes);
        if (!decoded.ok) {
          metrics.messages.inc({ type: 'invalid', outcome: decoded.error.code });
          replyError(ws, decoded.error.id, decoded.error.code, decoded.error.message);
          return;
        }
        const msg = decoded.message;
        metrics.messages.inc({ type: msg.type, outcome: 'ok' });
        hooks.onMessage(ws, msg).catch((err) => {
          logger.error('handling message failed', { type: msg.type, requestId: msg.id, conn: ws.getUserData().id, err });
          replyError(ws, msg.id, 'internal', 'the server failed to handle this message; it is logged');
        });
      },
      drain: (ws) => {
        for (const wake of ws.getUserData().drainWaiters.splice(0)) wake();
      },
      close: (ws) => {
        const conn = ws.getUserData();
        conn.closed = true;
        this.sockets.delete(ws);
        metrics.connections.dec();
        for (const wake of conn.drainWaiters.splice(0)) wake();
        hooks.onClose(ws);
      },
    });
    this.app.get('/health', (res) => {
      res.writeHeader('content-type', 'application/json').end(JSON.stringify(hooks.health()));
    });
    this.app.get('/metrics', (res) => this.metricsResponse(res));
    this.app.get('/api/*', (res, req) => this.apiResponse(res, req.getUrl()));
    this.app.get('/*', (res, req) => hooks.site.serve(res, req));
    this.app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end('not found\n');
    });
  }

  private apiResponse(res: HttpResponse, path: string): void {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    this.hooks!.api(path).then(
      ({ status, body }) => {
        if (aborted) return;
        res.cork(() => res.writeStatus(STATUS_TEXT[status] ?? String(status)).writeHeader('content-type', 'application/json').end(JSON.stringify(body)));
      },
      (err) => {
        this.logger.error('api request failed', { path, err });
        if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').writeHeader('content-type', 'application/json').end('{"error":"internal_error"}'));
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

  /** Stops accepting connections; open ones stay until `closeAll`. */
  stopListening(): void {
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
  }

  closeAll(): void {
    for (const ws of [...this.sockets]) ws.end(CloseCodes.shutdown, 'server shutting down');
  }
}
