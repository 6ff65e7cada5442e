/**
 * Starts `tracecast serve` as a separate process: the bundle `npm start` runs (through bin/tracecast.mjs, which
 * rebuilds it when a source changed), with a bare environment, so a test's server is the server a user gets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { nanoid } from 'nanoid';
import WebSocket from 'ws';
import { BIN } from './cli.ts';

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  runnerId: string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** The server's `process.memoryUsage()` after a full GC, read through its inspector (started with `inspect`). */
  memory(): Promise<NodeJS.MemoryUsage>;
}

export interface SpawnOptions {
  /** Open the inspector on a free loopback port, so that `memory()` can collect garbage and measure. */
  inspect?: boolean;
  /** `tracecast serve --role ROLE` (default: none given, i.e. TRACECAST_ROLE or all). */
  role?: 'all' | 'gateway' | 'runner';
}

/**
 * `env` is what the server gets besides PATH and HOME (the test runner's own variables, such as REDIS_URL, do not
 * leak in); PORT defaults to 0 and the runner id to a fresh one, so parallel servers do not reap each other's containers.
 */
export async function spawnServer(env: Record<string, string | undefined> = {}, options: SpawnOptions = {}): Promise<ServerProcess> {
  const runnerId = env.TRACECAST_RUNNER_ID ?? `proc-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  // A queue of its own unless the test shares one on purpose: servers of other tests use the same Redis.
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', TRACECAST_RUNNER_ID: runnerId, TRACECAST_QUEUE_PREFIX: `tc-${runnerId}` };
  const args = [...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), BIN, 'serve', ...(options.role ? ['--role', options.role] : [])];
  const child = spawn(process.execPath, args, { env: { ...base, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /"msg":"tracecast listening".*?"url":"http:\/\/[^:]+:(\d+)"/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  const memory = async () => {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
    if (!url) throw new Error('memory(): the server was not started with { inspect: true }');
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      const call = (id: number, method: string, params: object = {}) =>
        new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
          const onMessage = (data: Buffer) => {
            const reply = JSON.parse(data.toString());
            if (reply.id === id) {
              ws.off('message', onMessage);
              resolve(reply);
            }
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ id, method, params }));
        });
      await call(1, 'HeapProfiler.collectGarbage');
      const reply = await call(2, 'Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      return JSON.parse(reply.result!.result!.value!) as NodeJS.MemoryUsage;
    } finally {
      ws.close();
    }
  };
  return { child, port, runnerId, stderr: () => stderr, exited, memory };
}
