/**
 * A tracecast server for a bench: `tracecast serve` of a source tree (this checkout, or a worktree of an earlier
 * commit) in its own process with the README's defaults, and the removal of whatever containers it left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { sleep } from './report.ts';

export interface Server {
  port: number;
  runnerId: string;
  child: ChildProcess;
  stderr: () => string;
  metric(name: string): Promise<number>;
  health(): Promise<Record<string, any>>;
  /** SIGTERM (SIGKILL after 30 s), then removes what it left. */
  stop(): Promise<void>;
}

const docker = new Docker();
export async function reap(runnerId: string): Promise<number> {
  const left = await docker.listContainers({ all: true, filters: { label: [`tracecast.runner=${runnerId}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  return left.length;
}

/**
 * `tracecast serve` of `tree` in its own process with the README's defaults: only the port, a runner id of its own
 * and a fresh PGlite data folder are set (plus `env`); nothing leaks in from this process's environment but PATH and HOME.
 */
export async function startServer(tree: string, env: Record<string, string> = {}, args: string[] = []): Promise<Server> {
  const runnerId = env.TRACECAST_RUNNER_ID ?? `bench-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  const dataDir = mkdtempSync(path.join(realpathSync(os.tmpdir()), 'tc-bench-data-'));
  const full: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME!, HOST: '127.0.0.1', PORT: '0', TRACECAST_RUNNER_ID: runnerId, TRACECAST_DATA_DIR: dataDir, ...env };
  const child = spawn(process.execPath, [path.join(tree, 'bin/tracecast.mjs'), 'serve', ...args], { cwd: tree, env: full, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not log its url within 180 s:\n${stderr.slice(-2000)}`)), 180_000);
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-200_000);
      const m = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr.slice(-2000)}`));
    });
  });
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => '\\' + c)} ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return {
    port,
    runnerId,
    child,
    stderr: () => stderr,
    metric,
    health: async () => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, any>,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(30_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await reap(runnerId);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
