/** Server configuration from environment variables, validated once at start-up (see the README's table). */
import os from 'node:os';
import { z } from 'zod';
import { paths } from './paths.ts';
import { defaultBudgetMb } from './sandbox/capacity.ts';

const int = (def: number) => z.coerce.number().int().positive().default(def);

const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  REDIS_URL: z.string().url().optional(),
  TRACECAST_REDIS_CLUSTER: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'host:port seed nodes, comma-separated').optional(),
  TRACECAST_ROLE: z.enum(['all', 'gateway', 'runner']).default('all'),
  TRACECAST_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('tc'),
  TRACECAST_RUNNER_LOST_MS: int(30_000),
  TRACECAST_DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  DATABASE_URL: z.string().optional(),
  TRACECAST_STORE: z.enum(['postgres', 'pglite', 'memory']).optional(),
  TRACECAST_DATA_DIR: z.string().default(paths.dataDir),
  TRACECAST_RUNNER_ID: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('local'),
  TRACECAST_MAX_MESSAGE_BYTES: int(256 * 1024),
  // A class's runs are mostly short: four per CPU lets a burst's runs overlap their sandbox I/O and first steps.
  TRACECAST_MAX_CONCURRENT_RUNS: int(4 * Math.max(1, os.cpus().length)),
  TRACECAST_MAX_QUEUED_RUNS: int(1000),
  TRACECAST_MAX_RUNS_PER_OWNER: int(16),
  TRACECAST_TIMEOUT_MS: int(10_000),
  TRACECAST_MEMORY_MB: int(128),
  TRACECAST_COMPILE_MEMORY_MB: int(256),
  TRACECAST_CPUS: z.coerce.number().positive().default(1),
  TRACECAST_PIDS: int(64),
  TRACECAST_TMPFS_MB: int(16),
  TRACECAST_OUTPUT_BYTES: int(1024 * 1024),
  TRACECAST_MAX_STEPS: int(1_000_000),
  TRACECAST_MAX_FRAME_BYTES: int(1024 * 1024),
  TRACECAST_KEYFRAME_EVERY: int(1000),
  TRACECAST_BATCH_STEPS: int(2048),
  TRACECAST_LOG_MAX_LENGTH: int(1_000_000),
  TRACECAST_LOG_MAX_AGE_MS: int(24 * 3600 * 1000),
  TRACECAST_LOG_IDLE_MS: int(24 * 3600 * 1000),
  TRACECAST_SLOW_SUBSCRIBER_MS: int(30_000),
  TRACECAST_TRACE_RETENTION_DAYS: int(30),
  TRACECAST_JOIN_ATTEMPTS: int(10),
  TRACECAST_PROBLEMS_DIR: z.string().default(paths.problems),
  TRACECAST_POOL_SIZE: z.coerce.number().int().min(0).default(2),
  TRACECAST_POOL_REFILL_CONCURRENCY: int(2),
  TRACECAST_POOL_BURST_CONCURRENCY: int(8),
  TRACECAST_POOL_IDLE_MS: int(60_000),
  TRACECAST_SANDBOX_MEMORY_MB: int(defaultBudgetMb()),
  TRACECAST_PREWARM_MS: int(3600_000),
  TRACECAST_REUSE: z.enum(['on', 'off']).default('on'),
  TRACECAST_REUSE_MAX_RUNS: int(100),
  TRACECAST_REUSE_IDLE_MS: int(60_000),
  // Origins (scheme://host[:port]) other pages may call /api/* from, comma-separated, or `*`; empty: same-origin only.
  TRACECAST_CORS_ORIGINS: z.string().regex(/^(\*|(https?:\/\/[^,\s/]+)(\s*,\s*https?:\/\/[^,\s/]+)*)?$/, 'origins like https://example.org, comma-separated, or *').default(''),
  // How long a SIGTERM'd server keeps listening while /health/ready says 503, so a load balancer stops sending to it.
  TRACECAST_DRAIN_MS: z.coerce.number().int().min(0).default(0),
  // Identity: off by default, so a local start stays anonymous; `optional` once a key is given.
  TRACECAST_AUTH: z.enum(['off', 'optional', 'required']).optional(),
  TRACECAST_JWT_SECRET: z.string().min(32, 'an HS256 secret of at least 32 characters').optional(),
  TRACECAST_JWT_JWKS_URL: z.string().url().optional(),
  TRACECAST_JWT_ISSUER: z.string().optional(),
  TRACECAST_JWT_AUDIENCE: z.string().optional(),
  TRACECAST_JWT_ALGORITHMS: z.string().regex(/^[A-Z0-9]+(,[A-Z0-9]+)*$/, 'algorithms like RS256,ES256').optional(),
  TRACECAST_JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).default(30),
  TRACECAST_AUTH_DEADLINE_MS: int(10_000),
  // Limits: on by default exactly when identity is (a local anonymous start is unlimited, as before).
  TRACECAST_LIMITS: z.enum(['on', 'off']).optional(),
  TRACECAST_RUNS_PER_MINUTE: int(10),
  TRACECAST_RUNS_PER_HOUR: int(100),
  TRACECAST_RUNS_PER_DAY: int(500),
  TRACECAST_ANON_RUNS_PER_MINUTE: int(6),
  TRACECAST_MESSAGES_PER_MINUTE: int(30),
  TRACECAST_CONNECTIONS_PER_MINUTE: int(120),
  TRACECAST_SESSION_OPENS_PER_HOUR: int(20),
  TRACECAST_JOIN_ATTEMPTS_PER_ADDRESS: int(100),
  TRACECAST_TRUST_PROXY: z.string().default(''),
  TRACECAST_RUN_RETENTION_DAYS: int(30),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = Env.parse(env);
  const store = e.TRACECAST_STORE ?? (e.DATABASE_URL ? 'postgres' : 'pglite');
  if (store === 'postgres' && !e.DATABASE_URL) throw new Error('TRACECAST_STORE=postgres needs DATABASE_URL');
  const auth = e.TRACECAST_AUTH ?? (e.TRACECAST_JWT_SECRET || e.TRACECAST_JWT_JWKS_URL ? 'optional' : 'off');
  if (auth !== 'off' && !e.TRACECAST_JWT_SECRET === !e.TRACECAST_JWT_JWKS_URL) throw new Error(`TRACECAST_AUTH=${auth} needs exactly one of TRACECAST_JWT_SECRET and TRACECAST_JWT_JWKS_URL`);
  const redis = e.TRACECAST_REDIS_CLUSTER ? { cluster: e.TRACECAST_REDIS_CLUSTER } : e.REDIS_URL ? { url: e.REDIS_URL } : null;
  // Gateways and runners meet only in Redis (queue, logs) and Postgres (sessions, runs).
  if (e.TRACECAST_ROLE !== 'all' && !redis) throw new Error(`TRACECAST_ROLE=${e.TRACECAST_ROLE} needs REDIS_URL or TRACECAST_REDIS_CLUSTER: gateways and runners share the queue and the session logs there`);
  return {
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redis,
    role: e.TRACECAST_ROLE,
    queuePrefix: e.TRACECAST_QUEUE_PREFIX,
    runnerLostMs: e.TRACECAST_RUNNER_LOST_MS,
    dockerSocket: e.TRACECAST_DOCKER_SOCKET,
    databaseUrl: e.DATABASE_URL,
    store,
    dataDir: e.TRACECAST_DATA_DIR,
    runnerId: e.TRACECAST_RUNNER_ID,
    maxMessageBytes: e.TRACECAST_MAX_MESSAGE_BYTES,
    queue: { concurrency: e.TRACECAST_MAX_CONCURRENT_RUNS, maxQueued: e.TRACECAST_MAX_QUEUED_RUNS, maxRunsPerOwner: e.TRACECAST_MAX_RUNS_PER_OWNER },
    limits: {
      timeoutMs: e.TRACECAST_TIMEOUT_MS,
      memoryMb: e.TRACECAST_MEMORY_MB,
      compileMemoryMb: e.TRACECAST_COMPILE_MEMORY_MB,
      cpus: e.TRACECAST_CPUS,
      pids: e.TRACECAST_PIDS,
      tmpfsMb: e.TRACECAST_TMPFS_MB,
      outputBytes: e.TRACECAST_OUTPUT_BYTES,
      maxSteps: e.TRACECAST_MAX_STEPS,
      maxFrameBytes: e.TRACECAST_MAX_FRAME_BYTES,
      keyframeEvery: e.TRACECAST_KEYFRAME_EVERY,
      batchSteps: e.TRACECAST_BATCH_STEPS,
    },
    log: { maxLength: e.TRACECAST_LOG_MAX_LENGTH, maxAgeMs: e.TRACECAST_LOG_MAX_AGE_MS, idleMs: e.TRACECAST_LOG_IDLE_MS },
    slowSubscriberMs: e.TRACECAST_SLOW_SUBSCRIBER_MS,
    traceRetentionMs: e.TRACECAST_TRACE_RETENTION_DAYS * 24 * 3600 * 1000,
    problemsDir: e.TRACECAST_PROBLEMS_DIR,
    pool: {
      size: e.TRACECAST_POOL_SIZE,
      refillConcurrency: e.TRACECAST_POOL_REFILL_CONCURRENCY,
      burstConcurrency: e.TRACECAST_POOL_BURST_CONCURRENCY,
      idleMs: e.TRACECAST_POOL_IDLE_MS,
      memoryBudgetMb: e.TRACECAST_SANDBOX_MEMORY_MB,
    },
    prewarmMs: e.TRACECAST_PREWARM_MS,
    reuse: { enabled: e.TRACECAST_REUSE === 'on', maxRuns: e.TRACECAST_REUSE_MAX_RUNS, idleMs: e.TRACECAST_REUSE_IDLE_MS },
    corsOrigins: e.TRACECAST_CORS_ORIGINS.trim() === '*' ? ('*' as const) : e.TRACECAST_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    drainMs: e.TRACECAST_DRAIN_MS,
    auth: {
      mode: auth,
      deadlineMs: e.TRACECAST_AUTH_DEADLINE_MS,
      jwt: {
        ...(e.TRACECAST_JWT_SECRET ? { secret: e.TRACECAST_JWT_SECRET } : {}),
        ...(e.TRACECAST_JWT_JWKS_URL ? { jwksUrl: e.TRACECAST_JWT_JWKS_URL } : {}),
        ...(e.TRACECAST_JWT_ISSUER ? { issuer: e.TRACECAST_JWT_ISSUER } : {}),
        ...(e.TRACECAST_JWT_AUDIENCE ? { audience: e.TRACECAST_JWT_AUDIENCE } : {}),
        // Pinned: a shared secret only ever signs HS256, and a JWKS only asymmetric algorithms (no HS/RS confusion).
        algorithms: e.TRACECAST_JWT_ALGORITHMS?.split(',') ?? (e.TRACECAST_JWT_SECRET ? ['HS256'] : ['RS256', 'ES256']),
        clockToleranceS: e.TRACECAST_JWT_CLOCK_TOLERANCE_S,
      },
    },
    rateLimits: {
      enabled: (e.TRACECAST_LIMITS ?? (auth === 'off' ? 'off' : 'on')) === 'on',
      runsPerMinute: e.TRACECAST_RUNS_PER_MINUTE,
      runsPerHour: e.TRACECAST_RUNS_PER_HOUR,
      runsPerDay: e.TRACECAST_RUNS_PER_DAY,
      anonRunsPerMinute: e.TRACECAST_ANON_RUNS_PER_MINUTE,
      messagesPerMinute: e.TRACECAST_MESSAGES_PER_MINUTE,
      connectionsPerMinute: e.TRACECAST_CONNECTIONS_PER_MINUTE,
      sessionOpensPerHour: e.TRACECAST_SESSION_OPENS_PER_HOUR,
      joinAttemptsPerConnection: e.TRACECAST_JOIN_ATTEMPTS,
      joinAttemptsPerAddress: e.TRACECAST_JOIN_ATTEMPTS_PER_ADDRESS,
    },
    trustProxy: e.TRACECAST_TRUST_PROXY.split(',').map((s) => s.trim()).filter(Boolean),
    runRetentionMs: e.TRACECAST_RUN_RETENTION_DAYS * 24 * 3600 * 1000,
  };
}
