/** Prometheus metrics (prom-client) for connections, messages, refusals, the queue, runs, the warm pool, dependencies, and frames appended and delivered. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** Why a request was refused for a limit: the `limit` label of tracecast_refusals_total. */
export type RefusedLimit = 'queue' | 'runs_per_owner' | 'join_attempts' | 'message_bytes' | 'message_close' | 'runs_per_user' | 'runs_per_address' | 'messages' | 'connections_per_address' | 'session_opens';

/** Each dependency's state, asked at every scrape (the readiness checks): 1 up, 0 down. */
export type DependencyProbe = () => Promise<Record<string, boolean>>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tracecast_process_' });
  let probe: DependencyProbe | null = null;
  return {
    registry,
    /** Sets what tracecast_dependency_up asks at each scrape (main.ts: the readiness checks). */
    probeDependencies(p: DependencyProbe): void {
      probe = p;
    },
    dependencyUp: new Gauge({
      name: 'tracecast_dependency_up',
      help: 'Whether a dependency answers (1) or not (0), checked at each scrape: redis, postgres or pglite, docker (or runners, on a gateway)',
      labelNames: ['dependency'] as const,
      registers: [registry],
      async collect() {
        if (!probe) return;
        const states = await probe();
        this.reset();
        for (const [dependency, up] of Object.entries(states)) this.set({ dependency }, up ? 1 : 0);
      },
    }),
    messagesHandled: new Counter({
      name: 'tracecast_messages_handled_total',
      help: 'Decoded client messages once handled, by type and outcome: ok, or the error code answered (busy, not_found, internal, …)',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    messageSeconds: new Histogram({
      name: 'tracecast_message_handling_seconds',
      help: 'Time from a decoded client message to its answer (for run requests: until accepted or refused)',
      labelNames: ['type'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'tracecast_refusals_total',
      help: 'Requests refused for a limit: queue (full), runs_per_owner, join_attempts (wrong join codes), message_bytes (too_large), message_close (closed with 1009)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'tracecast_queue_wait_seconds',
      help: 'Time a run waited in the queue: submitted to taken by a runner',
      labelNames: ['language'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    firstStep: new Histogram({
      name: 'tracecast_first_step_seconds',
      help: 'Time from a run\'s submission to its first step handed to the session log (traced runs): what a learner waits for',
      labelNames: ['language'] as const,
      buckets: [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
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
    // A subscriber that falls behind leaves the live topic and catches up from the log (`behind`), or is closed with 4002 when it stays behind too long (`closed`).
    slowSubscribers: new Counter({ name: 'tracecast_slow_subscribers_total', help: 'Subscribers that fell behind the live frames, by what became of them', labelNames: ['outcome'] as const, registers: [registry] }),
  };
}
