/**
 * A runner's own HTTP endpoint (role `runner`): GET /health, /health/live, /health/ready and /metrics, nothing else;
 * it serves no clients, but an orchestrator probes it like a gateway (restart it when not live, and know when it
 * cannot take runs: its Docker engine, Redis or store down, or draining).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../obs/metrics.ts';
import type { ReadinessReport } from '../obs/readiness.ts';

export interface RunnerHttpHooks {
  health(): Record<string, unknown>;
  ready(): Promise<ReadinessReport>;
}

export async function listenRunnerHttp(host: string, port: number, hooks: RunnerHttpHooks, metrics: Metrics): Promise<{ port: number; close(): Promise<void> }> {
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET') return void res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('GET only\n');
      switch (req.url) {
        case '/health': {
          const body = hooks.health();
          return json(res, body.status === 'ok' ? 200 : 503, body);
        }
        case '/health/live':
          return json(res, 200, { status: 'live' });
        case '/health/ready': {
          const report = await hooks.ready();
          return json(res, report.ready ? 200 : 503, report);
        }
        case '/metrics':
          return void res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
        default:
          return void res.writeHead(404, { 'content-type': 'text/plain' }).end('a tracecast runner serves /health, /health/live, /health/ready and /metrics only\n');
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
