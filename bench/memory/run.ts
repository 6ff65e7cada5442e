/**
 * bench/memory: the resident memory of the server `npm start` runs (default store: PGlite in a data folder) over
 * 1,000 ordinary runs, for the code before the PGlite memory change and after it, one after the other in one run.
 *
 *   node --import tsx bench/memory/run.ts                       # before (a worktree at --before) and after (this checkout)
 *   node --import tsx bench/memory/run.ts --existing-folder     # the folder made by an earlier start, as every later `npm start`
 *   node --import tsx bench/memory/run.ts --only after --runs 200
 *   node --import tsx bench/memory/run.ts --before <commit> --runs 1000 --every 100 --concurrency 4
 *
 * Only 127.0.0.1. Every wait is bounded. See bench/memory/README.md.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg, cpus } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TracecastClient, type WebSocketConstructor } from '../../protocol/client.ts';
import { paths } from '../../server/paths.ts';
import { PROGRAMS } from './programs.ts';

interface Options {
  runs: number;
  every: number;
  concurrency: number;
  before: string;
  only: 'before' | 'after' | null;
  existingFolder: boolean;
}

// The parent of the commit that bounded PGlite's memory (shared_buffers, the database created in a child process).
const DEFAULT_BEFORE = 'bdc4716^';

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 1000, every: 100, concurrency: 4, before: DEFAULT_BEFORE, only: null, existingFolder: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const v = () => {
      const x = argv[++k];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--runs') o.runs = Number(v());
    else if (a === '--every') o.every = Number(v());
    else if (a === '--concurrency') o.concurrency = Number(v());
    else if (a === '--before') o.before = v();
    else if (a === '--only') o.only = v() as Options['only'];
    else if (a === '--existing-folder') o.existingFolder = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.runs > 0 && o.every > 0 && o.concurrency > 0)) throw new Error('--runs, --every and --concurrency must be positive');
  return o;
}

interface Sample {
  runs: number;
  rssKb: number;
  /** VmHWM: the most the process has had resident since it started. */
  peakKb: number;
  externalKb: number | null;
}

interface Side {
  label: 'before' | 'after';
  tree: string;
  samples: Sample[];
  verdicts: Map<string, number>;
  failures: number;
  seconds: number;
}

const RUN_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]);
}

// prom-client's default metrics report the process's external memory (PGlite's WebAssembly memory is part of it).
async function externalKb(port: number): Promise<number | null> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  if (!res?.ok) return null;
  const m = /^tracecast_process_nodejs_external_memory_bytes(?:\{[^}]*\})? (\S+)/m.exec(await res.text());
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

async function startServer(tree: string, dataDir: string): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', TRACECAST_DATA_DIR: dataDir, TRACECAST_RUNNER_ID: `bench-memory-${process.pid}` };
  // The default store, as `npm start` has it: no Postgres, no Redis.
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'TRACECAST_STORE']) delete env[k];
  // As `npm start` does (scripts/start.sh): bin/tracecast.mjs builds the bundle if a source is newer, then runs it in-process.
  const child = spawn(process.execPath, [path.join(tree, 'bin', 'tracecast.mjs'), 'serve'], { env, cwd: tree, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "url" log line within ${START_TIMEOUT_MS} ms: ${stderr.slice(-2000)}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /"url":"http:\/\/[^:]+:(\d+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${stderr.slice(-2000)}`));
    });
  });
  // Keep only the tail: a long run logs a line per run.
  child.stderr!.removeAllListeners('data');
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  return { child, port, stderr: () => stderr };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** One execute, retried while the queue says `busy`; resolves with the verdict (or `failed: …`). */
async function runOnce(client: TracecastClient, program: (typeof PROGRAMS)[number]): Promise<string> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  const ended = new Map<string, string>();
  let wake = () => {};
  const off = client.onFrame((f) => {
    if (f.type === 'run.ended') {
      ended.set(f.run, f.verdict);
      wake();
    }
  });
  const until = <T>(p: Promise<T>) =>
    new Promise<T | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
      void p.then((v) => (clearTimeout(timer), resolve(v)));
    });
  try {
    for (;;) {
      const reply = await until(client.request({ type: 'execute', language: program.language, code: program.code }));
      if (reply === null) return 'failed: no reply';
      if (reply.type === 'error' && reply.code === 'busy' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(reply.retryAfterMs ?? 200, 2000)));
        continue;
      }
      if (reply.type !== 'accepted') return `failed: ${reply.type === 'error' ? reply.code : reply.type}`;
      const verdict = await until(
        new Promise<string>((resolve) => {
          const check = () => ended.has(reply.run) && resolve(ended.get(reply.run)!);
          wake = check;
          check();
        }),
      );
      return verdict ?? 'failed: no run.ended';
    }
  } finally {
    off();
  }
}

async function measure(label: Side['label'], tree: string, o: Options): Promise<Side> {
  // A real path: PGlite cannot open a data folder whose path goes through a symlink.
  const dataDir = await mkdtemp(path.join(realpathSync(tmpdir()), `tracecast-bench-memory-${label}-`));
  const side: Side = { label, tree, samples: [], verdicts: new Map(), failures: 0, seconds: 0 };
  if (o.existingFolder) {
    // The first start creates the database; the measured one opens it, as every later `npm start` does.
    await stopServer((await startServer(tree, dataDir)).child);
  }
  const server = await startServer(tree, dataDir);
  const pid = server.child.pid!;
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const t0 = Date.now();
  const sample = async (runs: number) => {
    const s = { runs, rssKb: statusKb(pid, 'VmRSS'), peakKb: statusKb(pid, 'VmHWM'), externalKb: await externalKb(server.port) };
    side.samples.push(s);
    console.error(`  ${label}: ${runs} runs, RSS ${mb(s.rssKb)} MB (peak ${mb(s.peakKb)}), external ${mb(s.externalKb) || '?'} MB`);
  };
  try {
    // Let start-up settle (problems import, warm pool) before the 0-run sample.
    await new Promise((r) => setTimeout(r, 3000));
    await sample(0);
    const clients = await Promise.all(Array.from({ length: o.concurrency }, () => TracecastClient.connect(url, { WebSocket: WebSocket as unknown as WebSocketConstructor })));
    let next = 0;
    let done = 0;
    let sampling: Promise<void> = Promise.resolve();
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          const k = next++;
          if (k >= o.runs) return;
          const verdict = await runOnce(client, PROGRAMS[k % PROGRAMS.length]);
          side.verdicts.set(verdict, (side.verdicts.get(verdict) ?? 0) + 1);
          if (verdict.startsWith('failed')) side.failures++;
          if (side.failures > Math.max(10, o.runs / 20)) throw new Error(`too many failed runs: ${JSON.stringify([...side.verdicts])}\n${server.stderr().slice(-2000)}`);
          done++;
          if (done % o.every === 0) {
            const n = done;
            sampling = sampling.then(() => sample(n));
          }
        }
      }),
    );
    await sampling;
    for (const c of clients) c.close();
    side.seconds = (Date.now() - t0) / 1000;
  } finally {
    await stopServer(server.child);
    await rm(dataDir, { recursive: true, force: true });
  }
  return side;
}

const STORE_DIRS = ['server/store', 'server/archive', 'schema'];

/**
 * A server to measure: a worktree of HEAD whose store (server/store/, server/archive/, schema/) is this checkout's
 * (`after`) or that of `commit` (`before`), so that the two sides differ in nothing else; with this checkout's
 * node_modules, and its tracer runtimes and image inputs copied in, so that both ask for the same sandbox images
 * whatever is edited in the checkout meanwhile. Removed after the bench.
 */
function addTree(label: Side['label'], commit: string | null): { tree: string; remove: () => void } {
  const tree = path.join(realpathSync(tmpdir()), `tc-bench-memory-${label}-${process.pid}`);
  const git = (...args: string[]) => execFileSync('git', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  git('-C', paths.root, 'worktree', 'add', '--detach', tree, 'HEAD');
  const remove = () => git('-C', paths.root, 'worktree', 'remove', '--force', tree);
  try {
    if (commit) git('-C', tree, 'checkout', commit, '--', ...STORE_DIRS);
    const copied = commit ? [paths.tracerRuntimes, paths.sandboxImages] : [paths.tracerRuntimes, paths.sandboxImages, ...STORE_DIRS.map((d) => path.join(paths.root, d))];
    for (const dir of copied) {
      const to = path.join(tree, path.relative(paths.root, dir));
      rmSync(to, { recursive: true, force: true });
      cpSync(dir, to, { recursive: true });
    }
    symlinkSync(path.join(paths.root, 'node_modules'), path.join(tree, 'node_modules'));
  } catch (err) {
    remove();
    throw err;
  }
  return { tree, remove };
}

/** Builds the python and javascript images the tree's tracer files name, if missing (the tag exists: seconds). */
function ensureImages(tree: string): void {
  for (const lang of ['python', 'javascript']) {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(tree, 'sandbox-images', 'build.ts'), lang], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  }
}

function mb(kb: number | null | undefined): string {
  return kb === null || kb === undefined ? '' : (kb / 1024).toFixed(0);
}

function table(sides: Side[]): string {
  const byRuns = new Map<number, Map<string, Sample>>();
  for (const s of sides) for (const x of s.samples) (byRuns.get(x.runs) ?? byRuns.set(x.runs, new Map()).get(x.runs)!).set(s.label, x);
  const cols = sides.map((s) => s.label);
  const head = ['runs', ...cols.map((c) => `${c}: RSS MB`), ...cols.map((c) => `${c}: peak RSS MB`), ...cols.map((c) => `${c}: external MB`)];
  const rows = [...byRuns.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([runs, m]) => [String(runs), ...cols.map((c) => mb(m.get(c)?.rssKb)), ...cols.map((c) => mb(m.get(c)?.peakKb)), ...cols.map((c) => mb(m.get(c)?.externalKb))]);
  const width = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `| ${cells.map((c, k) => (k === 0 ? c.padEnd(width[k]) : c.padStart(width[k]))).join(' | ')} |`;
  return [line(head), `|${width.map((w, k) => (k === 0 ? ':' : '-') + '-'.repeat(w) + (k === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const head = execFileSync('git', ['-C', paths.root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const labels = o.only ? [o.only] : (['before', 'after'] as const);
  const trees = labels.map((label) => ({ label, ...addTree(label, label === 'before' ? o.before : null) }));
  try {
    ensureImages(trees[0].tree);
    console.log(`Machine: ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(' ')} at start. Server: node bin/tracecast.mjs serve (the bundle, as npm start runs it), default store (PGlite in ${o.existingFolder ? 'a data folder an earlier start created' : 'a new data folder'}), session log in memory, ${o.concurrency} connections, ${o.runs} runs.`);
    console.log(`HEAD ${head}; before: its store (${STORE_DIRS.join(', ')}) from ${o.before}; after: the store of this checkout.`);
    const sides: Side[] = [];
    // One after the other, never at once: the two servers would share the 2 CPUs and the Docker engine.
    for (const { label, tree } of trees) sides.push(await measure(label, tree, o));
    console.log(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`);
    for (const s of sides) console.log(`${s.label}: ${s.seconds.toFixed(0)} s, verdicts ${JSON.stringify(Object.fromEntries(s.verdicts))}`);
    console.log('');
    console.log(table(sides));
  } finally {
    for (const t of trees) t.remove();
  }
}

await main();
