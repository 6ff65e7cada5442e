/** The runner side of a server (roles `all` and `runner`): one Docker engine, its warm pool and per-owner reuse, runs taken from the queue, the engine watched. */
import { LANGUAGE_NAMES } from '../../protocol/languages.ts';
import { Language } from '../../protocol/index.ts';
import { imageTag } from '../../sandbox-images/images.ts';
import type { Config } from '../config.ts';
import type { SessionLog } from '../log/log.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { Problem } from '../problems/problem.ts';
import { runJobOf, type RunQueue } from '../queue/queue.ts';
import type { RunnerInfo } from '../queue/runner-directory.ts';
import { OwnerAffinity } from '../sandbox/owner-affinity.ts';
import { WarmPool } from '../sandbox/pool.ts';
import { DockerSandbox } from '../sandbox/sandbox-docker.ts';
import type { Store } from '../store/store.ts';
import { Runner } from './runner.ts';

export interface RunnerSideDeps {
  config: Config;
  log: SessionLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  queue: RunQueue;
  problems: ReadonlyMap<string, Problem>;
  /** This process among runners (the queue marks its runs with it). */
  processId: string;
}

// How often the engine is asked whether it is there, and how long it may take to answer.
const ENGINE_CHECK_MS = 2000;
const ENGINE_TIMEOUT_MS = 3000;

export type RunnerSide = Awaited<ReturnType<typeof startRunnerSide>>;

export async function startRunnerSide(deps: RunnerSideDeps) {
  const { config, metrics, logger, queue } = deps;
  const docker = new DockerSandbox({
    images: Object.fromEntries(LANGUAGE_NAMES.map((l) => [l, imageTag(l)])) as Record<Language, string>,
    runnerId: config.runnerId,
    reusable: config.reuse.enabled,
    socketPath: config.dockerSocket,
    processId: deps.processId,
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
  const runner = new Runner({ sandbox, log: deps.log, store: deps.store, metrics, logger, limits: config.limits });

  /** Null while the engine answers; else why this runner takes no runs. */
  let down: string | null = null;
  const checkEngine = async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([docker.docker.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ENGINE_TIMEOUT_MS} ms`)), ENGINE_TIMEOUT_MS)))]);
      if (down !== null) logger.info('the Docker engine answers again: taking runs', { socket: config.dockerSocket });
      if (down !== null) queue.setAccepting(true);
      down = null;
    } catch (err) {
      if (down === null) {
        logger.error('the Docker engine is not answering: taking no runs until it does', { socket: config.dockerSocket, err: (err as Error).message });
        queue.setAccepting(false);
      }
      down = `the Docker engine (${config.dockerSocket}) of runner ${config.runnerId} is not answering: ${(err as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  };
  let checking = false;
  const engineTimer = setInterval(() => {
    if (checking) return;
    checking = true;
    void checkEngine().finally(() => (checking = false));
  }, ENGINE_CHECK_MS);
  engineTimer.unref();

  // What a lost runner on this engine left (its runs were ended by the queue): removed once its lease is long gone.
  const reapTimer = setInterval(() => {
    if (down !== null) return;
    void queue
      .lostRunners()
      .then((lost) => docker.reapLost(lost))
      .then((n) => n > 0 && logger.warn('removed containers a lost runner left on this engine', { count: n }))
      .catch(() => undefined);
  }, Math.max(5000, config.runnerLostMs / 2));
  reapTimer.unref();

  const info = (): RunnerInfo => {
    const state = pool.state();
    return {
      id: deps.processId,
      languages: [...languages],
      down,
      active: runner.activeRuns().length,
      warm: Object.fromEntries(Object.entries(state.languages).map(([l, s]) => [l, s.warm])),
    };
  };

  queue.onReserve((key, language, count, until) => pool.reserve(key, language ?? 'python', count, until));
  queue.onForget((owner) => void affinity?.forget(owner));
  queue.process(async (job, cancelled) => {
    const running = runner.execute(runJobOf(job, deps.problems));
    const cancel = () => runner.cancel(job.run);
    if (cancelled.aborted) cancel();
    else cancelled.addEventListener('abort', cancel, { once: true });
    const summary = await running;
    return { verdict: summary.verdict, ownerKept: affinity?.holds(job.owner) ?? false };
  }, info);

  return {
    runner,
    pool,
    affinity,
    languages,
    info,
    /** The queue's runs waiting per language, as the pool's backlog (a shared queue is polled). */
    backlog(language: Language, waiting: number): void {
      pool.setBacklog(language, waiting);
    },
    /** Cancels what runs here and removes every sandbox (after the queue stopped handing out runs). */
    async close(): Promise<void> {
      clearInterval(engineTimer);
      clearInterval(reapTimer);
      await Promise.all([runner.shutdown(), sandbox.close()]);
    },
  };
}
