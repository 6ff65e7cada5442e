/** The composition root: builds every part from the configuration and wires them together. */
import { Redis } from 'ioredis';
import { Language } from '../protocol/index.ts';
import { imageTag } from '../sandbox-images/images.ts';
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
import type { Logger } from './obs/logger.ts';
import { createMetrics } from './obs/metrics.ts';
import { Readiness } from './obs/readiness.ts';
import type { PresenceBoard } from './presence/presence.ts';
import { MemoryPresence } from './presence/presence-memory.ts';
import { RedisPresence } from './presence/presence-redis.ts';
import { MemoryQueue } from './queue/queue-memory.ts';
import { runJobOf } from './queue/queue.ts';
import { importIntoStore, loadCatalog } from './problems/catalog-store.ts';
import { Runner } from './runner/runner.ts';
import { AttemptLimiter } from './sessions/attempts.ts';
import { Sessions } from './sessions/sessions.ts';
import { OwnerAffinity } from './sandbox/owner-affinity.ts';
import { WarmPool } from './sandbox/pool.ts';
import { DockerSandbox } from './sandbox/sandbox-docker.ts';
import type { Store } from './store/store.ts';
import { openStore } from './store/open-store.ts';
import { paths } from './paths.ts';
import { LANGUAGE_NAMES } from '../protocol/languages.ts';

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

  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true }) : null;
  if (redis) await redis.connect();
  const log: SessionLog = redis ? new RedisLog(redis, config.log) : new MemoryLog(config.log);
  const store: Store = await openStore(config);

  const docker = new DockerSandbox({
    images: Object.fromEntries(LANGUAGE_NAMES.map((l) => [l, imageTag(l)])) as Record<Language, string>,
    runnerId: config.runnerId,
    reusable: config.reuse.enabled,
  });
  const reaped = await docker.reap();
  if (reaped > 0) logger.warn('removed containers left by a previous run of this runner', { count: reaped, runner: config.runnerId });
  const languages = new Set<Language>();
  for (const lang of Language.options) if (await docker.has(lang)) languages.add(lang);
  if (languages.size === 0) logger.warn('no sandbox image found: run `npm start` (or sandbox-images/build.ts) to build them');
  const pool = new WarmPool(docker, { ...config.pool, languages: [...languages], limits: config.limits }, metrics, logger);
  logger.info('sandbox memory budget', { mb: config.pool.memoryBudgetMb, sandboxes: Math.floor(config.pool.memoryBudgetMb / config.limits.memoryMb) });
  const affinity = config.reuse.enabled ? new OwnerAffinity(pool, { maxRuns: config.reuse.maxRuns, idleMs: config.reuse.idleMs, limits: config.limits }, metrics, logger) : null;
  const sandbox = affinity ?? pool;

  const runner = new Runner({ sandbox, log, store, metrics, logger, limits: config.limits });
  const gateway = new Gateway(
    { host: config.host, port: config.port, maxMessageBytes: config.maxMessageBytes, maxBackpressure: MAX_BACKPRESSURE },
    metrics,
    logger,
    newId,
  );
  const presence: PresenceBoard = redis ? new RedisPresence(redis, `${config.runnerId}-${newId()}`) : new MemoryPresence();
  const fanout = new Fanout(gateway.app, log, metrics, logger, { softBufferLimit: SOFT_BUFFER_LIMIT, slowSubscriberMs: config.slowSubscriberMs }, presence);
  const waitingByLanguage = new Map<Language, number>();
  const queue = new MemoryQueue({
    ...config.queue,
    onWaiting: (language, n) => {
      waitingByLanguage.set(language, n);
      metrics.runsQueued.set([...waitingByLanguage.values()].reduce((a, b) => a + b, 0));
      pool.setBacklog(language, n);
    },
  });
  let shuttingDown = false;
  const sessions = new Sessions(store);
  const joinAttempts = new AttemptLimiter(config.joinAttemptsPerMinute, 60_000);
  const imported = await importIntoStore(store, config.problemsDir);
  if (imported.created.length + imported.updated.length > 0) logger.info('problems imported', { dir: config.problemsDir, created: imported.created, updated: imported.updated });
  const catalog = await loadCatalog(store);
  if (catalog.invalid.length > 0) logger.warn('stored problems that fail validation are not served', { slugs: catalog.invalid });
  const problems = new Map(catalog.problems.map((p) => [p.slug, p]));
  queue.process((job, cancelled) => {
    const running = runner.execute(runJobOf(job, problems));
    const cancel = () => runner.cancel(job.run);
    if (cancelled.aborted) cancel();
    else cancelled.addEventListener('abort', cancel, { once: true });
    return running;
  });
  const archive = new TraceArchive(store);
  const site = StaticSite.load(paths.web);
  if (!site.built) logger.warn('the viewer is not built: `/` says so until `npm start` (or `node web/build.mjs`) builds it', { dir: paths.web });
  const pruneTraces = () =>
    archive
      .prune(config.traceRetentionMs)
      .then((n) => n > 0 && logger.info('removed stored traces past their retention', { chunks: n }))
      .catch((err) => logger.error('pruning stored traces failed', { err }));
  void pruneTraces();
  const pruneTimer = setInterval(pruneTraces, 3600_000);
  pruneTimer.unref();
  const app = createApp({
    log,
    queue,
    runner,
    logger,
    languages,
    limits: config.limits,
    newId,
    accepting: () => !shuttingDown,
    sessions,
    joinAttempts,
    problems,
    archive,
    watchers: (session) => fanout.watchers(session),
    forgetOwner: (owner) => void affinity?.forget(owner),
    prewarm: async (session, students, language = 'python') => pool.reserve(session, language, students, Date.now() + config.prewarmMs),
  });
  // Each dependency a run needs; a check returns why it fails, or throws.
  const readiness = new Readiness(
    {
      ...(redis ? { redis: async () => (redis.status === 'ready' ? void (await redis.ping()) : `redis connection is ${redis.status}`) } : {}),
      ...(config.store !== 'memory' ? { [config.store]: async () => void (await store.getRun('readiness-probe')) } : {}),
      docker: async () => void (await docker.docker.ping()),
    },
    () => shuttingDown,
  );
  gateway.route({
    app,
    fanout,
    api: createApi({ store, problems }),
    site,
    ready: () => readiness.report(),
    cors: new Cors(config.corsOrigins),
    health: () => ({
      status: shuttingDown ? 'shutting_down' : 'ok',
      languages: [...languages],
      log: redis ? 'redis' : 'memory',
      store: config.store,
      runsActive: runner.activeRuns().length,
      runsQueued: [...waitingByLanguage.values()].reduce((a, b) => a + b, 0),
      pool: pool.state(),
    }),
  });
  const port = await gateway.listen();
  logger.info('tracecast listening', { url: `http://${config.host}:${port}`, languages: [...languages], log: redis ? 'redis' : 'memory', store: config.store });

  return {
    port,
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(pruneTimer);
      // Still listening, but /health/ready says 503 and new runs are refused: a load balancer moves traffic away first.
      if (config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
      gateway.stopListening();
      const dropped = await queue.close();
      await Promise.all([runner.shutdown(), ...dropped.map((job) => app.abandon(job)), sandbox.close()]);
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
