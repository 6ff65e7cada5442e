/**
 * Gateways and runners as separate processes sharing one Redis queue prefix and Postgres, for the scale-out and
 * failure tests: each started with `tracecast serve --role …` and a bare environment (server-process.ts).
 */
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { containersOf, requireEnv } from './server.ts';
import { spawnServer, type ServerProcess } from './server-process.ts';

export interface Node {
  role: 'all' | 'gateway' | 'runner';
  runnerId: string;
  port: number;
  url: string;
  process: ServerProcess;
  health(): Promise<Record<string, any>>;
  /** Its log lines so far (one JSON object each). */
  logs(): string[];
  /** SIGKILL: gone at once, nothing cleaned up. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<number | null>;
}

export class Deployment {
  readonly prefix = `tcdep-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  private readonly nodes: Node[] = [];

  /** `env` is every node's (REDIS_URL defaults to the suite's; the queue prefix is this deployment's own). */
  constructor(private readonly env: Record<string, string> = {}) {}

  get redisUrl(): string {
    return this.env.REDIS_URL ?? requireEnv('REDIS_URL');
  }

  async start(role: Node['role'], env: Record<string, string> = {}): Promise<Node> {
    const runnerId = env.TRACECAST_RUNNER_ID ?? `${role}-${nanoid(5).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const proc = await spawnServer(
      {
        REDIS_URL: this.redisUrl,
        DATABASE_URL: requireEnv('DATABASE_URL'),
        TRACECAST_STORE: 'postgres',
        TRACECAST_QUEUE_PREFIX: this.prefix,
        // A busy machine must not turn a verdict into `timeout`.
        TRACECAST_TIMEOUT_MS: '120000',
        TRACECAST_POOL_SIZE: '1',
        ...this.env,
        ...env,
        TRACECAST_RUNNER_ID: runnerId,
      },
      { role },
    );
    const node: Node = {
      role,
      runnerId,
      port: proc.port,
      url: `ws://127.0.0.1:${proc.port}/ws`,
      process: proc,
      health: async () => (await (await fetch(`http://127.0.0.1:${proc.port}/health`)).json()) as Record<string, any>,
      logs: () => proc.stderr().split('\n').filter((l) => l.startsWith('{')),
      kill: async () => {
        proc.child.kill('SIGKILL');
        await proc.exited;
      },
      stop: async () => {
        proc.child.kill('SIGTERM');
        return proc.exited;
      },
    };
    this.nodes.push(node);
    return node;
  }

  /** Stops what is still running, removes what the nodes left (containers, this prefix's Redis keys). */
  async cleanup(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.process.child.exitCode !== null || n.process.child.signalCode !== null) return;
        n.process.child.kill('SIGTERM');
        const timer = setTimeout(() => n.process.child.kill('SIGKILL'), 60_000);
        await n.process.exited;
        clearTimeout(timer);
      }),
    );
    for (const n of this.nodes) {
      for (const c of await containersOf(n.runnerId)) {
        await new Docker().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    }
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${this.prefix}:*`);
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    } catch {
      // A test that stopped its Redis: nothing to clean there.
    } finally {
      redis.disconnect();
    }
  }
}
