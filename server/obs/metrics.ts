/** Prometheus metrics (prom-client) for connections, runs, and frames appended and delivered. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tracecast_process_' });
  return {
    registry,
    connections: new Gauge({ name: 'tracecast_connections', help: 'Open WebSocket connections', registers: [registry] }),
    connectionsTotal: new Counter({ name: 'tracecast_connections_total', help: 'WebSocket connections accepted', registers: [registry] }),
    messages: new Counter({
      name: 'tracecast_messages_total',
      help: 'Client messages by type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    runs: new Counter({ name: 'tracecast_runs_total', help: 'Finished runs by verdict', labelNames: ['verdict', 'language'] as const, registers: [registry] }),
    runDuration: new Histogram({
      name: 'tracecast_run_duration_seconds',
      help: 'Wall time of finished runs, container start to exit',
      labelNames: ['language'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    runsActive: new Gauge({ name: 'tracecast_runs_active', help: 'Runs executing now', registers: [registry] }),
    runsQueued: new Gauge({ name: 'tracecast_runs_queued', help: 'Runs waiting for a slot', registers: [registry] }),
    poolWarm: new Gauge({ name: 'tracecast_pool_warm', help: 'Warm sandboxes waiting for a run', labelNames: ['language'] as const, registers: [registry] }),
    poolWaits: new Counter({ name: 'tracecast_pool_waits_total', help: 'Runs that found no warm sandbox and waited for one', labelNames: ['language'] as const, registers: [registry] }),
    poolRefillSeconds: new Histogram({
      name: 'tracecast_pool_refill_seconds',
      help: 'Time to create and start a sandbox until its tracer is ready',
      labelNames: ['language'] as const,
      buckets: [0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
      registers: [registry],
    }),
    sandboxReuse: new Counter({
      name: 'tracecast_sandbox_reuse_total',
      help: 'Runs of an owner that got back a sandbox of theirs, with a fresh process (hit), or a new one (miss)',
      labelNames: ['language', 'outcome'] as const,
      registers: [registry],
    }),
    sandboxRecycles: new Counter({
      name: 'tracecast_sandbox_recycles_total',
      help: 'Sandboxes after an owner\'s run: kept with a fresh process (ok), or removed: cleanup or restart failed (failed), run killed (discarded), run cap (retired), idle too long or owner gone (released)',
      labelNames: ['language', 'outcome'] as const,
      registers: [registry],
    }),
    framesAppended: new Counter({ name: 'tracecast_frames_appended_total', help: 'Frames appended to session logs', registers: [registry] }),
    framesDelivered: new Counter({ name: 'tracecast_frames_delivered_total', help: 'Frames sent to subscribers (one per subscriber)', registers: [registry] }),
  };
}
