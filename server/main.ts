/** The composition root: builds every part from the configuration and wires them together. */
import { Language } from '../protocol/index.ts';
import { newId } from './ids.ts';
import type { Config } from './config.ts';
import { Cors } from './api/cors.ts';
import { createApi } from './api/rest.ts';
import { createApp } from './app/app.ts';
import { TraceArchive } from './archive/trace-archive.ts';
import { Fanout } from './gateway/fanout.ts';
import { Gateway } from './gateway/gateway.ts';
import { StaticSite } from './gateway/static.ts';
import type { SessionLog } from './log/log.ts';
import { MemoryLog } from './log/log-memory.ts';
import { RedisLog } from './log/log-redis.ts';
import { openRedis } from './log/redis-client.ts';
import type { Logger } from './obs/logger.ts';
import { createMetrics } from './obs/metrics.ts';
import { Readiness, type Check } from './obs/readiness.ts';
import type { PresenceBoard } from './presence/presence.ts';
import { MemoryPresence } from './presence/presence-memory.ts';
import { RedisPresence } from './presence/presence-redis.ts';
import type { RunQueue } from './queue/queue.ts';
import { BullQueue } from './queue/queue-bullmq.ts';
import { MemoryQueue } from './queue/queue-memory.ts';
import { RunnerView } from './queue/runner-view.ts';
import { importIntoStore, loadCatalog } from './problems/catalog-store.ts';
import { endLostRun } from './runner/lost.ts';
import { Runner } from './runner/runner.ts';
import { listenRunnerHttp } from './runner/runner-http.ts';
import { startRunnerSide, type RunnerSide } from './runner/runner-role.ts';
import { JoseVerifier } from './auth/verifier-jose.ts';
import { clientAddress } from './limits/client-address.ts';
import { flexibleLimits } from './limits/limits-flexible.ts';
import { createLimitPolicy } from './limits/policy.ts';
import { Sessions } from './sessions/sessions.ts';
import { NO_SANDBOX } from './sandbox/sandbox.ts';
import type { Store } from './store/store.ts';
import { openStore } from './store/open-store.ts';
import { paths } from './paths.ts';

export interface RunningServer {
  port: number;
  /** Clean shutdown: stop accepting, end running runs as `cancelled`, remove their containers, close connections. */
  close(): Promise<void>;
}

// Fan-out moves a subscriber off the live topic past this many buffered bytes; uWS's own
// limit (where it would start dropping) is far above it.
const SOFT_BUFFER_LIMIT = 1024 * 1024;
const MAX_BACKPRESSURE = 64 * 1024 * 1024;

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const metrics = createMetrics();
  // This process among gateways (presence) and runners (the queue's leases and run marks).
  const processId = `${config.runnerId}-${newId()}`;
  const redis = config.redis ? await openRedis(config.redis, logger) : null;
  const log: SessionLog = redis ? new RedisLog(redis, config.log) : new MemoryLog(config.log);
  const store: Store = await openStore(config);
  if (config.role !== 'all' && config.store !== 'postgres') {
    logger.warn(`TRACECAST_STORE=${config.store} with TRACECAST_ROLE=${config.role}: sessions and run records are not shared with the other processes; use DATABASE_URL`);
  }
  const imported = await importIntoStore(store, config.problemsDir);
  if (imported.created.length + imported.updated.length > 0) logger.info('problems imported', { dir: config.problemsDir, created: imported.created, updated: imported.updated });
  const catalog = await loadCatalog(store);
  if (catalog.invalid.length > 0) logger.warn('stored problems that fail validation are not served', { slugs: catalog.invalid });
  const problems = new Map(catalog.problems.map((p) => [p.slug, p]));

  const waitingByLanguage = new Map<Language, number>();
  const runsQueued = () => [...waitingByLanguage.values()].reduce((a, b) => a + b, 0);
  let runnerSide: RunnerSide | null = null;
  const onWaiting = (language: Language, n: number) => {
    waitingByLanguage.set(language, n);
    metrics.runsQueued.set(runsQueued());
    runnerSide?.backlog(language, n);
  };
  const queue: RunQueue = redis
    ? new BullQueue({
        ...config.queue,
        redis,
        languages: [...Language.options],
        processId,
        lostAfterMs: config.runnerLostMs,
        logger,
        prefix: config.queuePrefix,
        ownerAffinityMs: config.reuse.enabled ? config.reuse.idleMs : 0,
      })
    : new MemoryQueue({ ...config.queue, onWaiting });
  queue.onLost((job, runner) => endLostRun({ log, store, metrics, logger, lostAfterMs: config.runnerLostMs }, job, runner));
  if (config.role !== 'gateway') runnerSide = await startRunnerSide({ config, log, store, metrics, logger, queue, problems, processId });
  // A shared queue's backlog is polled: the metric, and the warm pool's demand for runs about to ask for sandboxes.
  const backlogTimer = redis
    ? setInterval(() => {
        void queue.waiting().then((w) => {
          for (const lang of Language.options) onWaiting(lang, w[lang] ?? 0);
        }, () => undefined);
      }, 1000)
    : null;
  backlogTimer?.unref();
  let shuttingDown = false;
  // Each dependency a run needs; a check returns why it fails, or throws.
  const sharedChecks: Record<string, Check> = {
    ...(redis ? { redis: async () => (redis.status === 'ready' ? void (await redis.ping()) : `redis connection is ${redis.status}`) } : {}),
    ...(config.store !== 'memory' ? { [config.store]: async () => void (await store.getRun('readiness-probe')) } : {}),
  };
  const probeDependencies = (readiness: Readiness) =>
    metrics.probeDependencies(async () => Object.fromEntries(Object.entries((await readiness.report()).checks).map(([name, c]) => [name, c.ok])));

  if (config.role === 'runner') {
    const side = runnerSide!;
    const health = () => ({
      status: shuttingDown ? 'shutting_down' : side.info().down ? 'degraded' : 'ok',
      role: config.role,
      runner: side.info(),
      log: redis ? 'redis' : 'memory',
      store: config.store,
      runsActive: side.runner.activeRuns().length,
      runsQueued: runsQueued(),
      pool: side.pool.state(),
    });
    const readiness = new Readiness({ ...sharedChecks, docker: async () => side.info().down }, () => shuttingDown);
    probeDependencies(readiness);
    const http = await listenRunnerHttp(config.host, config.port, { health, ready: () => readiness.report() }, metrics);
    logger.info('tracecast listening', { url: `http://${config.host}:${http.port}`, role: config.role, languages: [...side.languages], log: 'redis', store: config.store });
    return {
      port: http.port,
      async close() {
        if (shuttingDown) return;
        shuttingDown = true;
        if (backlogTimer) clearInterval(backlogTimer);
        await queue.close();
        await side.close();
        await queue.idle();
        await http.close();
        await log.close();
        await store.close();
        await redis?.quit().catch(() => redis.disconnect());
        logger.info('tracecast stopped');
      },
    };
  }

  const view = new RunnerView(queue, runnerSide ? () => runnerSide!.info() : null);
  await view.refresh();
  // A gateway alone runs nothing; it still ends runs that never started (cancelled while queued).
  const runner = runnerSide?.runner ?? new Runner({ sandbox: NO_SANDBOX, log, store, metrics, logger, limits: config.limits });
  const gateway = new Gateway(
    {
      host: config.host,
      port: config.port,
      maxMessageBytes: config.maxMessageBytes,
      maxBackpressure: MAX_BACKPRESSURE,
      clientAddress: clientAddress(config.trustProxy),
      authDeadlineMs: config.auth.mode === 'required' ? config.auth.deadlineMs : null,
    },
    metrics,
    logger,
    newId,
  );
  const presence: PresenceBoard = redis ? new RedisPresence(redis, processId) : new MemoryPresence();
  const fanout = new Fanout(gateway.app, log, metrics, logger, { softBufferLimit: SOFT_BUFFER_LIMIT, slowSubscriberMs: config.slowSubscriberMs }, presence);
  const sessions = new Sessions(store);
  const limitPolicy = createLimitPolicy(flexibleLimits(redis, config.queuePrefix), config.rateLimits);
  const verifier = config.auth.mode === 'off' ? null : new JoseVerifier(config.auth.jwt);
  const archive = new TraceArchive(store);
  const site = StaticSite.load(paths.web);
  if (!site.built) logger.warn('the viewer is not built: `/` says so until `npm start` (or `node web/build.mjs`) builds it', { dir: paths.web });
  const pruneTraces = () =>
    Promise.all([
      archive
        .prune(config.traceRetentionMs)
        .then((n) => n > 0 && logger.info('removed stored traces past their retention', { chunks: n }))
        .catch((err) => logger.error('pruning stored traces failed', { err })),
      // Run rows hold the learner's code: they go after their own retention, like traces (progress stays).
      store
        .deleteRunsBefore(new Date(Date.now() - config.runRetentionMs))
        .then((n) => n > 0 && logger.info('removed run records past their retention', { runs: n }))
        .catch((err) => logger.error('pruning run records failed', { err })),
    ]);
  void pruneTraces();
  const pruneTimer = setInterval(pruneTraces, 3600_000);
  pruneTimer.unref();
  const app = createApp({
    log,
    queue,
    runner,
    logger,
    languages: view.languages,
    unavailable: (language) => view.unavailable(language),
    limits: config.limits,
    newId,
    accepting: () => !shuttingDown,
    sessions,
    limitPolicy,
    auth: { mode: config.auth.mode, verifier },
    store,
    onProgressError: (err) => logger.error('recording a user\'s progress failed', { err }),
    problems,
    archive,
    watchers: (session) => fanout.watchers(session),
    // Whichever runner keeps its containers (this process's own runner hears it too).
    forgetOwner: (owner) => void queue.forgetOwner(owner).catch(() => undefined),
    prewarm: (session, students, language = 'python') => queue.reserve(session, language, students, Date.now() + config.prewarmMs),
  });
  const readiness = new Readiness(
    {
      ...sharedChecks,
      ...(runnerSide
        ? { docker: async () => runnerSide!.info().down }
        : { runners: async () => (view.runners.some((r) => r.down === null) ? null : 'no runner is up with a working Docker engine') }),
    },
    () => shuttingDown,
  );
  probeDependencies(readiness);
  gateway.route({
    app,
    fanout,
    api: createApi({ store, problems, verifier }),
    site,
    ready: () => readiness.report(),
    cors: new Cors(config.corsOrigins),
    admit: (address) => limitPolicy.connection(address),
    health: () => {
      const unavailable = Object.fromEntries([...view.languages].flatMap((l) => {
        const why = view.unavailable(l);
        return why ? [[l, why]] : [];
      }));
      return {
        status: shuttingDown ? 'shutting_down' : Object.keys(unavailable).length > 0 ? 'degraded' : 'ok',
        role: config.role,
        languages: [...view.languages],
        ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}),
        runners: view.runners,
        log: redis ? 'redis' : 'memory',
        store: config.store,
        runsActive: runner.activeRuns().length,
        runsQueued: runsQueued(),
        ...(runnerSide ? { pool: runnerSide.pool.state() } : {}),
      };
    },
  });
  const port = await gateway.listen();
  logger.info('tracecast listening', { url: `http://${config.host}:${port}`, role: config.role, languages: [...view.languages], log: redis ? 'redis' : 'memory', store: config.store });

  return {
    port,
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(pruneTimer);
      if (backlogTimer) clearInterval(backlogTimer);
      view.close();
      // Still listening, but /health/ready says 503 and new runs are refused: a load balancer moves traffic away first.
      if (config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
      gateway.stopListening();
      const dropped = await queue.close();
      await Promise.all([runnerSide?.close(), ...dropped.map((job) => app.abandon(job))]);
      await queue.idle();
      // Let the tails deliver the final `run.ended` frames before the connections go.
      await new Promise((r) => setTimeout(r, 200));
      app.closeAll();
      fanout.close();
      await presence.close();
      await log.close();
      await store.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
      logger.info('tracecast stopped');
    },
  };
}
