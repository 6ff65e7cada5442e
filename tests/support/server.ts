/** Starts a real tracecast server for a test: the bundled server in a process of its own (real Docker; Redis/Postgres from the environment). */
import { readdir, readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { spawnServer } from './server-process.ts';
import { TestClient } from './ws-client.ts';

export interface TestServer {
  port: number;
  url: string;
  runnerId: string;
  /** The server's log lines so far (one JSON object each). */
  logs: string[];
  /** SIGTERM, then: the process must exit 0 and leave no container. */
  close(): Promise<void>;
  /** The server process's id (its RSS is in /proc/<pid>/status). */
  pid: number;
  /** The server's memory after a full GC (only with `inspect`). */
  memory(): Promise<NodeJS.MemoryUsage>;
}

export interface TestServerOptions {
  /** Use the Redis at REDIS_URL for the session log (default: in-process log). */
  redis?: boolean;
  /** Record runs in the Postgres at DATABASE_URL (default: in-process store). */
  postgres?: boolean;
  env?: Record<string, string>;
  /** Start the server with its inspector open, for `memory()`. */
  inspect?: boolean;
}

export function requireEnv(name: 'REDIS_URL' | 'DATABASE_URL'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts Redis and Postgres`);
  return v;
}

/**
 * Why a test part that needs `name` is skipped when it is unset: `npm run test:unit` runs the contract tests' in-process
 * adapters without Redis or Postgres. False when it is set, as `npm test` always has it, so nothing is skipped there.
 */
export function skipWithout(name: 'REDIS_URL' | 'DATABASE_URL'): string | false {
  return process.env[name] ? false : `${name} is not set (npm test sets it): the in-process adapters run without it`;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  // Not the server's default PGlite store: test servers run side by side, and one PGlite data folder takes one
  // process at a time.
  // A generous run limit: a busy machine must not turn a test's verdict into `timeout`. A test of timeouts sets its own.
  const env: Record<string, string> = { TRACECAST_STORE: options.postgres ? 'postgres' : 'memory', TRACECAST_TIMEOUT_MS: '120000', ...options.env };
  if (options.redis) env.REDIS_URL = requireEnv('REDIS_URL');
  if (options.postgres) env.DATABASE_URL = requireEnv('DATABASE_URL');
  const server = await spawnServer(env, { inspect: options.inspect });
  return {
    port: server.port,
    url: `ws://127.0.0.1:${server.port}/ws`,
    runnerId: server.runnerId,
    memory: server.memory,
    pid: server.child.pid!,
    get logs() {
      return server.stderr().split('\n').filter((l) => l.startsWith('{'));
    },
    async close() {
      server.child.kill('SIGTERM');
      const code = await server.exited;
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM: ${server.stderr().split('\n').slice(-10).join('\n')}`);
      const left = await containersOf(server.runnerId);
      if (left.length > 0) throw new Error(`${left.length} container(s) of runner ${server.runnerId} left after shutdown`);
    },
  };
}

/** A test server and one connected client, for one describe block's tests. */
export async function startWithClient(options: TestServerOptions = {}): Promise<{ server: TestServer; client: TestClient }> {
  const server = await startTestServer(options);
  return { server, client: await TestClient.connect(server.url) };
}

export async function stopWithClient(server: TestServer | undefined, client: TestClient | undefined): Promise<void> {
  client?.close();
  await server?.close();
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
