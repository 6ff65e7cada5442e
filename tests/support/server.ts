/** Starts a real tracecast server in this process for a test (real Docker; Redis/Postgres from the environment). */
import { readdir, readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/main.ts';
import { createLogger } from '../../server/obs/logger.ts';

export interface TestServer {
  port: number;
  url: string;
  runnerId: string;
  logs: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Use the Redis at REDIS_URL for the session log (default: in-process log). */
  redis?: boolean;
  /** Record runs in the Postgres at DATABASE_URL (default: in-process store). */
  postgres?: boolean;
  env?: Record<string, string>;
}

export function requireEnv(name: 'REDIS_URL' | 'DATABASE_URL'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts Redis and Postgres`);
  return v;
}

/** Each server gets its own runner id, so its containers can be told apart from other test files' ones. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const runnerId = `test-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
  // Not the server's default PGlite store: test servers run side by side in one process and
  // in parallel test files, and one PGlite data directory takes one process at a time.
  const store = options.postgres ? 'postgres' : 'memory';
  const env: Record<string, string> = { PORT: '0', TRACECAST_RUNNER_ID: runnerId, TRACECAST_STORE: store, ...options.env };
  if (options.redis) env.REDIS_URL = requireEnv('REDIS_URL');
  if (options.postgres) env.DATABASE_URL = requireEnv('DATABASE_URL');
  const logs: string[] = [];
  const server = await startServer(loadConfig(env), createLogger({ test: true }, (line) => logs.push(line)));
  return {
    port: server.port,
    url: `ws://127.0.0.1:${server.port}/ws`,
    runnerId,
    logs,
    async close() {
      await server.close();
      const left = await containersOf(runnerId);
      if (left.length > 0) throw new Error(`${left.length} container(s) of runner ${runnerId} left after shutdown`);
    },
  };
}

export async function containersOf(runnerId: string): Promise<Docker.ContainerInfo[]> {
  return new Docker().listContainers({ all: true, filters: { label: [`tracecast.runner=${runnerId}`] } });
}

/** Whether the container is removed within `withinMs` (polled every 100 ms); an error other than "no such container" is thrown. */
export async function containerGoneWithin(id: string, withinMs: number): Promise<boolean> {
  const until = performance.now() + withinMs;
  for (;;) {
    try {
      await new Docker().getContainer(id).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return true;
      throw err;
    }
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Host processes (other than this one) whose command line holds one of `markers`, as "pid: command line" (NUL as space). */
export async function hostProcessesWith(markers: string[]): Promise<string[]> {
  if (markers.length === 0) return [];
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let cmd: string;
    try {
      cmd = (await readFile(`/proc/${pid}/cmdline`)).toString('utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    for (const m of markers) if (cmd.includes(m)) found.push(`${pid}: ${cmd.trim()}`);
  }
  return found;
}

/** A sample's value in the server's /metrics (`pattern`'s first group), 0 when absent. */
export async function metric(server: TestServer, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}
