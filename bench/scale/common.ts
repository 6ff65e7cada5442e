/** bench/scale's shared parts: servers of a source tree (this checkout or a worktree of an earlier commit), WebSocket students, percentiles, tables. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import WebSocket from 'ws';
import { decode, encode } from '../../protocol/codec.ts';
import { paths } from '../../server/paths.ts';

export const ROOT = paths.root;
const t0 = performance.now();
export const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s load ${os.loadavg()[0].toFixed(1)}] ${msg}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ statistics and tables

/** Nearest-rank percentile. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
export const median = (xs: number[]) => pct(xs, 50);
export const fmtMs = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');

export function table(head: string[], rows: string[][], leftCols = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i < leftCols ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const sep = '|' + w.map((n, i) => (i < leftCols ? ':' + '-'.repeat(n + 1) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(head), sep, ...rows.map(line)].join('\n');
}

// ------------------------------------------------------------------ trees

/**
 * A worktree of `commit` to run the code before a change: this checkout's node_modules, and its tracer runtimes
 * and image inputs copied in, so that both sides ask for the same sandbox images whatever is edited meanwhile.
 */
export function addTree(commit: string): { tree: string; remove: () => void } {
  const tree = path.join(realpathSync(os.tmpdir()), `tc-bench-scale-${process.pid}-${nanoid(4).replace(/[^A-Za-z0-9]/g, 'x')}`);
  const git = (...args: string[]) => execFileSync('git', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  git('-C', ROOT, 'worktree', 'add', '--detach', tree, commit);
  const remove = () => git('-C', ROOT, 'worktree', 'remove', '--force', tree);
  try {
    for (const dir of [paths.tracerRuntimes, paths.sandboxImages]) {
      const to = path.join(tree, path.relative(ROOT, dir));
      rmSync(to, { recursive: true, force: true });
      cpSync(dir, to, { recursive: true });
    }
    // What the copied image inputs import that an older tree lacks (the tag computation, not the server's code).
    for (const file of ['protocol/languages.ts']) {
      if (!existsSync(path.join(tree, file))) cpSync(path.join(ROOT, file), path.join(tree, file));
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  } catch (err) {
    remove();
    throw err;
  }
  return { tree, remove };
}

// ------------------------------------------------------------------ servers

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
  const runnerId = env.TRACECAST_RUNNER_ID ?? `bench-scale-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  const dataDir = mkdtempSync(path.join(realpathSync(os.tmpdir()), 'tc-bench-scale-data-'));
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

// ------------------------------------------------------------------ students

export interface RunTiming {
  /** Request sent → first `steps` frame (NaN: none). */
  first: number;
  /** Request sent → `run.ended`. */
  end: number;
  verdict: string;
  wallMs: number;
}

/** One connection: sends requests, times each run from its request to its first `steps` and its `run.ended`. */
export class Student {
  private pending = new Map<string, { t0: number; first: number; resolve: (t: RunTiming) => void; reject: (e: Error) => void }>();
  private byRun = new Map<string, string>();
  private replies = new Map<string, (f: any) => void>();
  private nextId = 0;
  /** Every frame received, decoded, with its arrival time. */
  readonly frames: Array<{ at: number; f: any }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onFrame(data));
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    });
  }

  static connect(port: number): Promise<Student> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Student(ws)));
      ws.once('error', reject);
    });
  }

  private onFrame(data: Buffer): void {
    const now = performance.now();
    const f = decode(data) as any;
    this.frames.push({ at: now, f });
    if (f.id && this.replies.has(f.id)) {
      this.replies.get(f.id)!(f);
      this.replies.delete(f.id);
    }
    if (f.type === 'accepted' && f.id && this.pending.has(f.id)) {
      this.byRun.set(f.run, f.id);
      return;
    }
    if (f.type === 'error' && f.id && this.pending.has(f.id)) {
      const p = this.pending.get(f.id)!;
      this.pending.delete(f.id);
      p.reject(Object.assign(new Error(`${f.code}: ${f.message}`), { code: f.code }));
      return;
    }
    const id = f.run ? this.byRun.get(f.run) : undefined;
    if (!id) return;
    const p = this.pending.get(id)!;
    if (f.type === 'steps' && p.first === 0) p.first = now - p.t0;
    if (f.type === 'run.ended') {
      this.pending.delete(id);
      this.byRun.delete(f.run);
      p.resolve({ first: p.first || NaN, end: now - p.t0, verdict: f.verdict, wallMs: f.wallMs });
    }
  }

  /** A request that is answered directly (session.open, subscribe…). */
  request(msg: Record<string, unknown>): Promise<any> {
    const id = `q${this.nextId++}`;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.ws.send(encode({ ...msg, id }));
    });
  }

  execute(language: string, code: string, extra: Record<string, unknown> = {}): Promise<RunTiming> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { t0: performance.now(), first: 0, resolve, reject });
      this.ws.send(encode({ type: 'execute', id, language, code, ...extra }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with `p`, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
}
