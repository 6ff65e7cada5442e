/**
 * Fan-out bench: one publisher, one session, N subscribers spread over several client processes, three systems
 * measured in the same run on the same machine, each gateway its own process:
 *
 *   tracecast  the real gateway, as `npm start` runs it (`node .build/server/cli/cli.js serve`, compiled by
 *              scripts/build.sh; REDIS_URL set, TRACECAST_POOL_SIZE=0); clients
 *              send {type: 'subscribe', session}; frames are appended with tracecast's RedisLog.append.
 *   bare       bench/fanout/bare-gateway.ts: XREAD BLOCK COUNT 100 → uWS app.publish of the raw bytes.
 *   sio        bench/fanout/sio-gateway.ts: Socket.IO + @socket.io/redis-streams-adapter; the publisher is a second
 *              Socket.IO server emitting to the room through the adapter.
 *
 *   node --import tsx bench/fanout/run.ts [--subs 500,2000] [--frames 20000] [--loads full,50,1000]
 *        [--systems tracecast,bare,sio] [--clients 4] [--paced-seconds 20] [--time-limit 180] [--layout nice|pin|none]
 *        [--client-lib lean|ws] [--check fast|full] [--sio-client raw|official] [--tracecast-dir DIR] [--json FILE]
 *        [--quick]
 *
 * See bench/fanout/README.md for what each column means. Everything targets 127.0.0.1; every child process is
 * killed when a run ends, when this process exits, fails or is interrupted, and each one also exits on its own
 * (IPC disconnect, closed stdin, `timeout(1)`, internal hard limit).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  BENCH_DIR,
  Histogram,
  SYSTEMS,
  SYSTEM_LABEL,
  childPids,
  cpuSeconds,
  memoryKb,
  type ClientEvent,
  type ClientReport,
  type PublisherCommand,
  type PublisherEvent,
  type System,
} from './common.ts';
import { cpuTicks } from '../lib/report.ts';

const ROOT = join(BENCH_DIR, '..');
const HERE = join(BENCH_DIR, 'fanout');

// ---------------------------------------------------------------------------------------------------------------
// Options

const { values: opt } = parseArgs({
  options: {
    subs: { type: 'string' },
    frames: { type: 'string' },
    loads: { type: 'string' },
    systems: { type: 'string' },
    clients: { type: 'string' },
    'paced-seconds': { type: 'string' },
    'time-limit': { type: 'string' },
    stall: { type: 'string' },
    batch: { type: 'string' },
    layout: { type: 'string', default: 'none' },
    'sio-client': { type: 'string', default: 'raw' },
    'client-lib': { type: 'string', default: 'lean' },
    check: { type: 'string', default: 'fast' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'tracecast-dir': { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (opt.help) {
  process.stdout.write(
    'usage: node --import tsx bench/fanout/run.ts [--subs 500,2000] [--frames 20000] [--loads full,50,1000]\n' +
      '  [--systems tracecast,bare,sio] [--clients 4] [--paced-seconds 20] [--time-limit 180] [--stall 15]\n' +
      '  [--batch 100] [--layout nice|pin|none] [--client-lib lean|ws] [--check fast|full] [--sio-client raw|official]\n' +
      '  [--redis URL] [--tracecast-dir DIR] [--json FILE] [--quick]\n',
  );
  process.exit(0);
}

const quick = opt.quick!;
const list = (s: string | undefined, def: string) => (s ?? def).split(',').map((x) => x.trim()).filter(Boolean);
const SUBS = list(opt.subs, quick ? '100' : '500,2000').map(Number);
const FRAMES = Number(opt.frames ?? (quick ? 2000 : 20000));
const LOADS = list(opt.loads, 'full,50,1000').map((l) => (l === 'full' ? 0 : Number(l)));
const SYS = list(opt.systems, SYSTEMS.join(',')) as System[];
const CLIENTS = Number(opt.clients ?? 4);
const PACED_SECONDS = Number(opt['paced-seconds'] ?? (quick ? 2 : 20));
const TIME_LIMIT_S = Number(opt['time-limit'] ?? (quick ? 30 : 180));
const STALL_S = Number(opt.stall ?? (quick ? 8 : 15));
const BATCH = Number(opt.batch ?? 100);
const SIO_CLIENT = opt['sio-client'] as 'raw' | 'official';
const CLIENT_LIB = opt['client-lib'] as 'lean' | 'ws';
const CHECK = opt.check as 'fast' | 'full';
const REDIS_URL = opt.redis!;
const SETUP_LIMIT_MS = 60_000;
/** The tree whose server is measured (default: this checkout). */
const TRACECAST_DIR = opt['tracecast-dir'] ?? ROOT;
/**
 * What `npm start` runs: the server compiled by scripts/build.sh (built here first). A tree without that script
 * (an older commit) is measured through `bin/tracecast.mjs`, i.e. tsx.
 */
const TRACECAST_ENTRY = (() => {
  if (!existsSync(join(TRACECAST_DIR, 'scripts/build.sh'))) return 'bin/tracecast.mjs';
  execFileSync('bash', ['scripts/build.sh'], { cwd: TRACECAST_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  return '.build/server/cli/cli.js';
})();

/** Which tracecast was measured: commit, and whether server/ or protocol/ differ from it. */
function describeTracecast(): string {
  try {
    const head = execFileSync('git', ['-C', TRACECAST_DIR, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', TRACECAST_DIR, 'status', '--porcelain', '--', 'server', 'protocol', 'bin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${TRACECAST_DIR} at ${head}${dirty ? ` with uncommitted changes in server/protocol/bin (${dirty.split('\n').length} files)` : ''}, ${TRACECAST_ENTRY}`;
  } catch {
    return `${TRACECAST_DIR} (not a git checkout), ${TRACECAST_ENTRY}`;
  }
}

for (const s of SYS) if (!SYSTEMS.includes(s)) throw new Error(`unknown system ${s} (known: ${SYSTEMS.join(', ')})`);
if (SUBS.some((n) => !(n > 0)) || !(FRAMES > 0) || LOADS.some((r) => !(r >= 0)) || !(CLIENTS > 0)) throw new Error('bad --subs/--frames/--loads/--clients');
if (!['raw', 'official'].includes(SIO_CLIENT)) throw new Error('--sio-client is raw or official');
if (!['lean', 'ws'].includes(CLIENT_LIB)) throw new Error('--client-lib is lean or ws');
if (!['fast', 'full'].includes(CHECK)) throw new Error('--check is fast or full');
{
  const host = new URL(REDIS_URL).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`the bench only targets this machine; --redis ${REDIS_URL} is not local`);
}

const cores = availableParallelism();
let hasTaskset = true;
try {
  execFileSync('taskset', ['-V'], { stdio: 'ignore' });
} catch {
  hasTaskset = false;
}
/**
 * How the processes share the CPUs (see README):
 *   none (default): everything at the same priority, anywhere.
 *   nice: no affinity; the subscriber processes run at nice +10, so the gateway, the publisher and Redis get a CPU
 *     whenever they need one and the subscribers take the rest (on a shared machine, other users' processes at
 *     nice 0 then starve the subscribers).
 *   pin: the gateway alone on CPU 0, publisher and subscribers on the other CPUs (taskset); Redis left where it is.
 */
const LAYOUT = opt.layout as 'nice' | 'pin' | 'none';
if (!['nice', 'pin', 'none'].includes(LAYOUT)) throw new Error('--layout is nice, pin or none');
if (LAYOUT === 'pin' && (!hasTaskset || cores < 2)) throw new Error('--layout pin needs taskset and 2 CPUs or more');
const GATEWAY_CPUS = '0';
const LOAD_CPUS = cores > 2 ? `1-${cores - 1}` : '1';
const CLIENT_NICE = 10;
const LAYOUT_TEXT =
  LAYOUT === 'nice'
    ? `no CPU affinity, subscriber processes at nice +${CLIENT_NICE}`
    : LAYOUT === 'pin'
      ? `gateway pinned to CPU ${GATEWAY_CPUS}, publisher and subscribers to CPU ${LOAD_CPUS}, Redis unpinned`
      : 'no CPU affinity, same priority';

function pin(pid: number, cpus: string): void {
  if (LAYOUT !== 'pin') return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch (err) {
    log(`warning: taskset ${cpus} ${pid} failed: ${(err as Error).message}`);
  }
}

/** Lowers a subscriber process's priority (its main thread, where all its work happens). */
function deprioritize(pid: number): void {
  if (LAYOUT !== 'nice') return;
  try {
    setPriority(pid, CLIENT_NICE);
  } catch (err) {
    log(`warning: setPriority(${pid}, ${CLIENT_NICE}) failed: ${(err as Error).message}`);
  }
}

function log(msg: string): void {
  process.stderr.write(`[fanout ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: all registered here and killed on exit, whatever the reason.

const children = new Set<ChildProcess>();
/** timeout(1) wrappers of the gateways: SIGTERM makes them pass it on (and SIGKILL 5 s later); SIGKILL would orphan. */
const wrappers = new Set<ChildProcess>();
/** Gateway processes (children of the wrappers). */
const extraPids = new Set<number>();

function killAll(): void {
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const c of children) {
    try {
      c.kill(wrappers.has(c) ? 'SIGTERM' : 'SIGKILL');
    } catch {}
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    killAll();
    process.exit(130);
  });
}
process.on('uncaughtException', (err) => {
  log(`fatal: ${err.stack}`);
  killAll();
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  log(`fatal: ${(err as Error)?.stack ?? err}`);
  killAll();
  process.exit(1);
});

function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

async function stopChild(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill(signal);
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Resolves with the first IPC message matching `match`, rejects on timeout, on a `failed` event or an exit. */
function expect<T>(c: ChildProcess, what: string, match: (m: any) => boolean, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      c.off('message', onMessage);
      c.off('exit', onExit);
      fn();
    };
    const onMessage = (m: any) => {
      if (m?.ev === 'failed') done(() => reject(new Error(`${what}: child failed: ${m.error}`)));
      else if (match(m)) done(() => resolve(m as T));
    };
    const onExit = (code: number | null, sig: string | null) => done(() => reject(new Error(`${what}: child exited (${code ?? sig})`)));
    const timer = setTimeout(() => done(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`))), timeoutMs);
    c.on('message', onMessage);
    c.once('exit', onExit);
  });
}

/** Sends an IPC message if the child is still there (a dead child must not crash the bench). */
function tell(c: ChildProcess, message: object): void {
  if (!c.connected) return;
  c.send(message, (err) => {
    if (err) log(`ipc to ${c.pid}: ${err.message}`);
  });
}

function forkWorker(file: string): ChildProcess {
  const c = track(fork(join(HERE, file), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  c.on('message', (m: any) => {
    if (m?.ev === 'failed') log(`${file} ${c.pid} failed: ${m.error}`);
  });
  return c;
}

interface Gateway {
  wrapper: ChildProcess;
  pid: number;
  url: string;
  /** Lines the gateway printed after it was listening (warnings, errors). */
  lines: string[];
  fallback: boolean;
}

async function startGateway(system: System, env: Record<string, string>, limitS: number): Promise<Gateway> {
  const node = process.execPath;
  const args =
    system === 'tracecast'
      ? [node, TRACECAST_ENTRY, 'serve']
      : [node, '--import', 'tsx', join(HERE, system === 'bare' ? 'bare-gateway.ts' : 'sio-gateway.ts')];
  // timeout(1) ends the gateway even if this process is SIGKILLed; the gateway is its child.
  const wrapper = track(
    spawn('timeout', ['-k', '5', String(limitS), ...args], {
      cwd: system === 'tracecast' ? TRACECAST_DIR : ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  wrappers.add(wrapper);
  wrapper.once('exit', () => wrappers.delete(wrapper));
  // Know the gateway's pid as early as possible, so that an interrupted start-up does not leave it behind.
  let pid = 0;
  const findPid = (async () => {
    for (let i = 0; i < 500 && !pid && wrapper.exitCode === null; i++) {
      pid = childPids(wrapper.pid!)[0] ?? 0;
      if (pid) extraPids.add(pid);
      else await sleep(10);
    }
  })();
  const lines: string[] = [];
  let listening = false;
  let fallback = false;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${system} gateway did not listen within ${SETUP_LIMIT_MS / 1000} s; output:\n${lines.join('\n')}`)), SETUP_LIMIT_MS);
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (/Falling back to a NodeJS implementation/.test(line)) fallback = true;
        if (lines.length < 200) lines.push(line);
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(line);
        if (m && !listening) {
          listening = true;
          lines.length = 0;
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    };
    wrapper.stdout!.on('data', onData);
    wrapper.stderr!.on('data', onData);
    wrapper.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${system} gateway exited (${code}) before listening; output:\n${lines.join('\n')}`));
    });
  });
  await findPid;
  if (!pid) throw new Error(`${system} gateway: cannot find its process under timeout(1) ${wrapper.pid}`);
  pin(pid, GATEWAY_CPUS);
  return { wrapper, pid, url, lines, fallback };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// One measured run.

interface Row {
  system: System;
  subs: number;
  rate: number;
  frames: number;
  frameBytes: number;
  expected: number;
  deliveries: number;
  seconds: number | null;
  msgsPerSec: number | null;
  p50ms: number | null;
  p99ms: number | null;
  maxMs: number | null;
  /** VmRSS once the gateway listens, before any connection. */
  gwIdleRssMb: number | null;
  /** VmRSS when the measurement began (connections open, nothing published yet). */
  gwStartRssMb: number | null;
  /** Peak RSS: max of VmHWM (whole life, start-up included) and VmRSS sampled every 100 ms. */
  gwPeakRssMb: number | null;
  gwCpuS: number | null;
  gwUsPerDelivery: number | null;
  clientsCpuS: number;
  publisherCpuS: number | null;
  redisCpuS: number | null;
  /** Busy CPU-seconds of the machine during the measurement window not spent by the bench's processes or Redis. */
  otherCpuS: number | null;
  windowS: number;
  lost: number;
  undelivered: number;
  reordered: number;
  duplicates: number;
  closed: number;
  closeReasons: Record<string, number>;
  /** tracecast: connections closed with 4001/4002 that reconnected and resumed from their last pos. */
  resumes: number;
  /** Redis commands during the window (all clients of the Redis). */
  redisOps: { xadd: number; xread: number; xrange: number } | null;
  status: string;
  notes: string[];
}

/** Calls so far of each Redis command (INFO commandstats). */
async function redisCalls(control: Redis): Promise<Record<string, number>> {
  try {
    const out: Record<string, number> = {};
    for (const m of (await control.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  } catch {
    return {};
  }
}

/** Busy CPU-seconds of the whole machine so far (all CPUs), from /proc/stat. */
function machineBusySeconds(): number | null {
  const t = cpuTicks();
  return t ? (t.busy + t.steal) / 100 : null;
}

async function redisCpu(control: Redis): Promise<number | null> {
  try {
    const info = await control.info('cpu');
    const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    const v = get('used_cpu_sys') + get('used_cpu_user');
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

async function runOne(control: Redis, system: System, subs: number, rate: number): Promise<Row> {
  const frames = rate > 0 ? Math.min(FRAMES, Math.max(1, Math.round(rate * PACED_SECONDS))) : FRAMES;
  const id = randomBytes(6).toString('hex');
  const session = `bench-${id}`;
  const streamKey = `tc:{${session}}:log`;
  const sioStream = `bench-sio-${id}`;
  const hardLimitMs = (TIME_LIMIT_S + SETUP_LIMIT_MS / 1000 + 60) * 1000;
  const notes: string[] = [];
  const local: ChildProcess[] = [];
  let gw: Gateway | null = null;
  const tStart = Date.now();
  log(`${system} · ${subs} subscribers · ${rate > 0 ? `${rate} frames/s` : 'full speed'} · ${frames} frames`);
  try {
    // Gateway, publisher and clients start side by side.
    const env: Record<string, string> = { PORT: '0', REDIS_URL, HARD_LIMIT_MS: String(hardLimitMs) };
    if (system === 'tracecast') Object.assign(env, { HOST: '127.0.0.1', TRACECAST_RUNNER_ID: `bench-fanout-${id}`, TRACECAST_POOL_SIZE: '0', TRACECAST_STORE: 'memory' });
    if (system === 'bare') env.STREAM_KEY = streamKey;
    if (system === 'sio') env.SIO_STREAM = sioStream;
    const gwP = startGateway(system, env, Math.ceil(hardLimitMs / 1000));

    const pub = forkWorker('publisher.ts');
    local.push(pub);
    const pubReady = expect(pub, 'publisher init', (m: PublisherEvent) => m.ev === 'ready', SETUP_LIMIT_MS);
    tell(pub, { cmd: 'init', system, redisUrl: REDIS_URL, session, run: `run-${id}`, sioStream, hardLimitMs } satisfies PublisherCommand);

    const n = Math.min(CLIENTS, subs);
    const clients = Array.from({ length: n }, () => forkWorker('client.ts'));
    local.push(...clients);
    for (const c of [pub, ...clients]) pin(c.pid!, LOAD_CPUS);
    for (const c of clients) deprioritize(c.pid!);

    gw = await gwP;
    const idleRssKb = memoryKb(gw.pid)?.rss ?? null;
    if (gw.fallback) notes.push('uWS fell back to its Node.js implementation');
    await pubReady;

    const connected = clients.map((c) => expect<{ ms: number }>(c, 'client connect', (m: ClientEvent) => m.ev === 'connected', SETUP_LIMIT_MS));
    clients.forEach((c, i) => {
      const conns = Math.floor(subs / n) + (i < subs % n ? 1 : 0);
      tell(c, { cmd: 'start', system, url: gw!.url.replace('http://', 'ws://'), session, conns, frames, sioClient: SIO_CLIENT, clientLib: CLIENT_LIB, check: CHECK, hardLimitMs });
    });
    const connectMs = Math.max(...(await Promise.all(connected)).map((m) => m.ms));

    // Warm-up: a frame with seq -1, repeated each second until every connection has one (so the whole path, including
    // the Socket.IO adapter's first XREAD from `$`, is live before measuring).
    const warm = Promise.all(clients.map((c) => expect(c, 'warm-up', (m: ClientEvent) => m.ev === 'warm', 20_000)));
    let warmed = false;
    void warm.then(() => (warmed = true), () => {});
    for (let i = 0; i < 20 && !warmed; i++) {
      tell(pub, { cmd: 'warmup' } satisfies PublisherCommand);
      await Promise.race([warm.catch(() => {}), sleep(1000)]);
    }
    await warm;
    log(`  connected in ${connectMs} ms, warm; measuring`);
    for (const c of clients) tell(c, { cmd: 'measure' });
    await sleep(200);

    // Measurement window.
    const gwCpu0 = cpuSeconds(gw.pid);
    const clientCpu0 = clients.map((c) => cpuSeconds(c.pid!) ?? 0);
    const pubCpu0 = cpuSeconds(pub.pid!);
    const redis0 = await redisCpu(control);
    const calls0 = await redisCalls(control);
    const self0 = process.cpuUsage();
    const machine0 = machineBusySeconds();
    const window0 = Date.now();
    const startRssKb = memoryKb(gw.pid)?.rss ?? null;
    let peakRssKb = startRssKb ?? 0;
    const sampler = setInterval(() => {
      const m = memoryKb(gw!.pid);
      if (m && m.rss > peakRssKb) peakRssKb = m.rss;
    }, 100);

    const progress = new Array<number>(n).fill(0);
    let lastTotal = -1;
    let lastChange = Date.now();
    let complete = 0;
    let pubDone: Extract<PublisherEvent, { ev: 'done' }> | null = null;
    let failure: string | null = null;
    const onClient = (m: ClientEvent, i: number) => {
      if (m.ev === 'progress') progress[i] = m.deliveries;
      else if (m.ev === 'complete') complete++;
      else if (m.ev === 'failed') failure = `client ${i}: ${m.error}`;
    };
    const listeners = clients.map((c, i) => {
      const l = (m: ClientEvent) => onClient(m, i);
      c.on('message', l);
      return l;
    });
    const onPub = (m: PublisherEvent) => {
      if (m.ev === 'done') pubDone = m;
      else if (m.ev === 'failed') failure = `publisher: ${m.error}`;
    };
    pub.on('message', onPub);
    tell(pub, { cmd: 'go', frames, rate, batch: BATCH } satisfies PublisherCommand);

    const t0 = Date.now();
    let status = 'ok';
    for (;;) {
      await sleep(50);
      if (complete === n && pubDone) break;
      if (failure) {
        status = 'failed';
        notes.push(failure);
        break;
      }
      for (const c of [gw.wrapper, pub, ...clients]) {
        if (c.exitCode !== null || c.signalCode !== null) failure = `a process exited during the run (pid ${c.pid}, ${c.exitCode ?? c.signalCode})`;
      }
      const total = progress.reduce((a, b) => a + b, 0);
      if (total !== lastTotal) {
        lastTotal = total;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > STALL_S * 1000 && (pubDone || Date.now() - t0 > STALL_S * 1000)) {
        status = `stalled (no delivery for ${STALL_S} s${pubDone ? ' after the last publish' : ''})`;
        break;
      }
      if (Date.now() - t0 > TIME_LIMIT_S * 1000) {
        status = `time limit (${TIME_LIMIT_S} s)`;
        break;
      }
    }
    const gwCpu1 = cpuSeconds(gw.pid);
    const clientCpu1 = clients.map((c) => cpuSeconds(c.pid!) ?? 0);
    const pubCpu1 = cpuSeconds(pub.pid!);
    const redis1 = await redisCpu(control);
    const calls1 = await redisCalls(control);
    const machine1 = machineBusySeconds();
    const self1 = process.cpuUsage(self0);
    const windowS = (Date.now() - window0) / 1000;
    clearInterval(sampler);
    const mem = memoryKb(gw.pid);
    if (mem && mem.rss > peakRssKb) peakRssKb = mem.rss;
    const hwmKb = mem?.hwm ?? null;
    pub.off('message', onPub);
    clients.forEach((c, i) => c.off('message', listeners[i]));

    const settled = await Promise.allSettled(
      clients.map((c) => {
        const r = expect<ClientReport>(c, 'client report', (m: ClientEvent) => m.ev === 'report', 10_000);
        tell(c, { cmd: 'report' });
        return r;
      }),
    );
    const reports: ClientReport[] = [];
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') reports.push(r.value);
      else {
        notes.push(`no report from subscriber process ${i} (its ${Math.floor(subs / n) + (i < subs % n ? 1 : 0)} connections are not counted): ${(r.reason as Error).message}`);
        if (status === 'ok') status = 'subscriber process failed';
      }
    });
    const hist = new Histogram();
    let deliveries = 0;
    let lost = 0;
    let undelivered = 0;
    let reordered = 0;
    let duplicates = 0;
    let closed = 0;
    let lastRecv = 0;
    const closeReasons: Record<string, number> = {};
    let mismatches = 0;
    let unexpected = 0;
    let resumes = 0;
    const resumeReasons: Record<string, number> = {};
    for (const r of reports) {
      mismatches += r.mismatches;
      unexpected += r.unexpected;
      resumes += r.resumes;
      if (r.holeDetails.length) notes.push(`holes: ${r.holeDetails.join(' | ')}`);
      for (const [k, v] of Object.entries(r.resumeReasons)) resumeReasons[k] = (resumeReasons[k] ?? 0) + v;
      hist.merge(r.latency, r.latencyMax);
      deliveries += r.deliveries;
      lost += r.holes;
      undelivered += r.tailMissing;
      reordered += r.reordered;
      duplicates += r.duplicates;
      closed += r.closed;
      for (const [k, v] of Object.entries(r.closeReasons)) closeReasons[k] = (closeReasons[k] ?? 0) + v;
      if (r.lastRecvUs !== null && r.lastRecvUs > lastRecv) lastRecv = r.lastRecvUs;
    }
    const done = pubDone as Extract<PublisherEvent, { ev: 'done' }> | null;
    if (!done && status === 'ok') status = 'publisher did not finish';
    const callDelta = (cmd: string) => (calls1[cmd] ?? 0) - (calls0[cmd] ?? 0);
    // XRANGE is only used by tracecast's catch-up path (a subscriber demoted off the live topic, or replaying).
    const redisOps = { xadd: callDelta('xadd'), xread: callDelta('xread'), xrange: callDelta('xrange') };
    if (system === 'tracecast' && redisOps.xrange > 0) notes.push(`catch-up: ${redisOps.xrange} XRANGE reads (subscribers demoted off the live topic and fed from Redis)`);
    if (resumes) notes.push(`${resumes} resume(s) after a resumable close: ${JSON.stringify(resumeReasons).slice(0, 300)}`);
    if (mismatches || unexpected) notes.push(`subscribers saw ${mismatches} frame(s) whose fast-path seq/t differed from a full decode and ${unexpected} unexpected message(s)`);
    if (status === 'ok' && (lost || undelivered || duplicates || reordered || closed || mismatches || unexpected)) status = 'INCOMPLETE';
    const seconds = done && lastRecv ? (lastRecv - done.firstUs) / 1e6 : null;
    const gwLines = gw.lines.filter((l) => /warn|error|fail/i.test(l));
    if (gwLines.length) notes.push(`gateway said: ${gwLines.slice(0, 5).join(' | ').slice(0, 600)}`);
    const q = (x: number) => {
      const v = hist.quantile(x);
      return v === null ? null : v / 1000;
    };
    const gwCpuS = gwCpu0 !== null && gwCpu1 !== null ? gwCpu1 - gwCpu0 : null;
    const clientsCpuS = clientCpu1.reduce((a, b, i) => a + b - clientCpu0[i], 0);
    const publisherCpuS = pubCpu0 !== null && pubCpu1 !== null ? pubCpu1 - pubCpu0 : null;
    const redisCpuS = redis0 !== null && redis1 !== null ? redis1 - redis0 : null;
    const benchCpuS = (gwCpuS ?? 0) + clientsCpuS + (publisherCpuS ?? 0) + (redisCpuS ?? 0) + (self1.user + self1.system) / 1e6;
    const otherCpuS = machine0 !== null && machine1 !== null ? Math.max(0, machine1 - machine0 - benchCpuS) : null;
    if (otherCpuS !== null && otherCpuS > 0.1 * windowS) notes.push(`machine not idle: other processes used ${otherCpuS.toFixed(1)} CPU-s in the ${windowS.toFixed(1)} s window`);
    const row: Row = {
      system,
      subs,
      rate,
      frames,
      frameBytes: done?.frameBytes ?? 0,
      expected: frames * subs,
      deliveries,
      seconds,
      msgsPerSec: seconds ? deliveries / seconds : null,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxMs: hist.total ? hist.max / 1000 : null,
      gwIdleRssMb: idleRssKb === null ? null : idleRssKb / 1024,
      gwStartRssMb: startRssKb === null ? null : startRssKb / 1024,
      gwPeakRssMb: Math.max(peakRssKb, hwmKb ?? 0) / 1024,
      gwCpuS,
      gwUsPerDelivery: gwCpuS !== null && deliveries ? (gwCpuS * 1e6) / deliveries : null,
      clientsCpuS,
      publisherCpuS,
      redisCpuS,
      otherCpuS,
      windowS,
      lost,
      undelivered,
      reordered,
      duplicates,
      closed,
      closeReasons,
      resumes,
      redisOps,
      status,
      notes,
    };
    log(
      `  ${status}: ${deliveries}/${frames * subs} deliveries` +
        (row.msgsPerSec ? `, ${fmt(row.msgsPerSec, 0)} msgs/s` : '') +
        `, p50 ${fmt(row.p50ms, 2)} ms, p99 ${fmt(row.p99ms, 2)} ms, gateway ${fmt(row.gwCpuS, 2)} CPU-s, ${fmt(row.gwPeakRssMb, 0)} MB` +
        (lost || undelivered || reordered || duplicates || closed ? `, lost ${lost} undelivered ${undelivered} reordered ${reordered} dup ${duplicates} closed ${closed}` : '') +
        ` (${((Date.now() - tStart) / 1000).toFixed(1)} s)`,
    );
    if (Object.keys(closeReasons).length) log(`  close reasons: ${JSON.stringify(closeReasons)}`);
    for (const note of notes) log(`  note: ${note}`);
    return row;
  } finally {
    await Promise.all(
      local.map(async (c) => {
        tell(c, { cmd: 'exit' });
        await Promise.race([new Promise((r) => c.once('exit', r)), sleep(1000)]);
        await stopChild(c, 'SIGKILL');
      }),
    );
    // Runs are sequential: every gateway still around is this run's (also one whose start-up failed).
    await Promise.all([...wrappers].map((w) => stopChild(w, 'SIGTERM', 5000)));
    for (const pid of extraPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    extraPids.clear();
    await control.del(streamKey, sioStream).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function fmt(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: Row[]): string {
  const head = [
    'system',
    'subs',
    'load',
    'frames',
    'delivered',
    'msgs/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'gw RSS MB idle/subscribed/peak',
    'gw CPU s',
    'gw µs/msg',
    'clients CPU s',
    'pub CPU s',
    'redis CPU s',
    'other CPU s',
    'lost',
    'reord',
    'dup',
    'status',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 3 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const cells = [
      SYSTEM_LABEL[r.system],
      String(r.subs),
      r.rate > 0 ? `${r.rate}/s` : 'full',
      fmt(r.frames, 0),
      `${fmt(r.deliveries, 0)}${r.deliveries === r.expected ? '' : ` of ${fmt(r.expected, 0)}`}`,
      r.rate > 0 ? `(${fmt(r.msgsPerSec, 0)})` : fmt(r.msgsPerSec, 0),
      fmt(r.p50ms, 2),
      fmt(r.p99ms, 2),
      fmt(r.maxMs, 1),
      `${fmt(r.gwIdleRssMb, 0)} / ${fmt(r.gwStartRssMb, 0)} / ${fmt(r.gwPeakRssMb, 0)}`,
      fmt(r.gwCpuS, 2),
      fmt(r.gwUsPerDelivery, 2),
      fmt(r.clientsCpuS, 2),
      fmt(r.publisherCpuS, 2),
      fmt(r.redisCpuS, 2),
      `${fmt(r.otherCpuS, 1)} / ${fmt(r.windowS, 1)}`,
      `${r.lost}${r.undelivered ? ` (+${r.undelivered} undelivered)` : ''}`,
      String(r.reordered),
      String(r.duplicates),
      r.status + (r.closed ? `, ${r.closed} closed` : '') + (r.resumes ? `, ${r.resumes} resumed` : ''),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function targets(rows: Row[]): string[] {
  const out: string[] = [];
  const find = (s: System, subs: number, rate: number) => rows.find((r) => r.system === s && r.subs === subs && r.rate === rate);
  const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'NOT met');
  for (const subs of SUBS) {
    const tc = find('tracecast', subs, 0);
    const sio = find('sio', subs, 0);
    const bare = find('bare', subs, 0);
    if (tc?.msgsPerSec && sio?.msgsPerSec) {
      const x = tc.msgsPerSec / sio.msgsPerSec;
      out.push(`${subs} subs: tracecast / Socket.IO delivered msgs/s = ${x.toFixed(1)}× (target ≥ 20× at 500): ${subs === 500 ? verdict(x >= 20) : 'info'}`);
    }
    if (tc?.msgsPerSec && bare?.msgsPerSec) {
      const x = tc.msgsPerSec / bare.msgsPerSec;
      out.push(`${subs} subs: tracecast / bare uWS delivered msgs/s = ${(x * 100).toFixed(0)}% (target ≥ 90% at 500): ${subs === 500 ? verdict(x >= 0.9) : 'info'}`);
    }
    if (tc?.gwUsPerDelivery && bare?.gwUsPerDelivery && sio?.gwUsPerDelivery) {
      out.push(
        `${subs} subs, gateway CPU per delivery: tracecast ${tc.gwUsPerDelivery.toFixed(2)} µs, bare ${bare.gwUsPerDelivery.toFixed(2)} µs, Socket.IO ${sio.gwUsPerDelivery.toFixed(2)} µs` +
          ` (Socket.IO / tracecast = ${(sio.gwUsPerDelivery / tc.gwUsPerDelivery).toFixed(1)}×, tracecast / bare = ${(tc.gwUsPerDelivery / bare.gwUsPerDelivery).toFixed(2)}×)`,
      );
    }
    for (const [rate, limit] of [
      [50, 10],
      [1000, 50],
    ]) {
      const r = find('tracecast', subs, rate);
      if (r?.p99ms !== null && r?.p99ms !== undefined) out.push(`${subs} subs: tracecast p99 at ${rate} frames/s = ${r.p99ms.toFixed(2)} ms (target ≤ ${limit} ms): ${verdict(r.p99ms <= limit)}`);
    }
  }
  const tcRows = rows.filter((r) => r.system === 'tracecast');
  if (tcRows.length) {
    const peak = Math.max(...tcRows.map((r) => r.gwPeakRssMb ?? 0));
    out.push(`tracecast gateway peak RSS over all runs = ${peak.toFixed(0)} MB (target < 150 MB): ${verdict(peak < 150)}`);
    const bad = tcRows.filter((r) => r.lost || r.undelivered || r.reordered || r.duplicates || r.closed || r.status !== 'ok');
    out.push(`tracecast: every frame delivered once and in order in every run: ${verdict(bad.length === 0)}${bad.length ? ` (${bad.length} run(s) not clean)` : ''}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function ensureRedis(): Promise<Redis> {
  const tryPing = async () => {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
      return r;
    } catch {
      r.disconnect();
      return null;
    }
  };
  let r = await tryPing();
  if (!r && /^redis:\/\/(127\.0\.0\.1|localhost):6379\/?$/.test(REDIS_URL)) {
    log('Redis does not answer: running scripts/ensure-redis.sh');
    execFileSync('bash', ['scripts/ensure-redis.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 120_000 });
    r = await tryPing();
  }
  if (!r) throw new Error(`no Redis at ${REDIS_URL} (start one with: bash scripts/ensure-redis.sh)`);
  return r;
}

async function main(): Promise<void> {
  const control = await ensureRedis();
  if (SYS.includes('sio')) {
    try {
      const { createRequire } = await import('node:module');
      const req = createRequire(join(BENCH_DIR, 'package.json'));
      for (const p of ['socket.io', 'socket.io-client', '@socket.io/redis-streams-adapter']) req.resolve(p);
    } catch {
      throw new Error('Socket.IO system: bench dependencies missing; run `npm install --prefix bench` (or pass --systems tracecast,bare)');
    }
  }
  const plan = SUBS.flatMap((subs) => LOADS.flatMap((rate) => SYS.map((system) => ({ subs, rate, system }))));
  log(
    `${plan.length} runs: subs ${SUBS.join(',')} · loads ${LOADS.map((r) => (r ? `${r}/s` : 'full')).join(',')} · systems ${SYS.join(',')} · ` +
      `${FRAMES} frames (paced: ${PACED_SECONDS} s) · ${CLIENTS} client processes · ${cores} CPUs, ` +
      LAYOUT_TEXT,
  );
  const measured = describeTracecast();
  if (SYS.includes('tracecast')) log(`tracecast: ${measured}`);
  const rows: Row[] = [];
  const t0 = Date.now();
  for (const p of plan) {
    try {
      rows.push(await runOne(control, p.system, p.subs, p.rate));
    } catch (err) {
      log(`  run failed: ${(err as Error).message}`);
      rows.push({
        system: p.system,
        subs: p.subs,
        rate: p.rate,
        frames: 0,
        frameBytes: 0,
        expected: 0,
        deliveries: 0,
        seconds: null,
        msgsPerSec: null,
        p50ms: null,
        p99ms: null,
        maxMs: null,
        gwIdleRssMb: null,
        gwStartRssMb: null,
        gwPeakRssMb: null,
        gwCpuS: null,
        gwUsPerDelivery: null,
        clientsCpuS: 0,
        publisherCpuS: null,
        redisCpuS: null,
        otherCpuS: null,
        windowS: 0,
        lost: 0,
        undelivered: 0,
        reordered: 0,
        duplicates: 0,
        closed: 0,
        closeReasons: {},
        resumes: 0,
        redisOps: null,
        status: `error: ${(err as Error).message.split('\n')[0].slice(0, 120)}`,
        notes: [],
      });
    }
  }
  control.disconnect();

  const frameBytes = rows.find((r) => r.frameBytes)?.frameBytes ?? 0;
  const out = [
    '',
    `Fan-out: 1 publisher, 1 session, frames of ${frameBytes} bytes (MessagePack, before tracecast's pos), ${CLIENTS} client processes; ` +
      `full speed = ${FRAMES} frames in batches of ${BATCH}; paced = ${PACED_SECONDS} s at the rate (min(${FRAMES}, rate × ${PACED_SECONDS}) frames). ` +
      `${cores} CPUs, ${LAYOUT_TEXT}; WebSocket clients: ${CLIENT_LIB === 'lean' ? 'lean-ws.ts' : 'ws'}, check ${CHECK}, Socket.IO clients: ${SIO_CLIENT}. ` +
      `Total ${((Date.now() - t0) / 1000).toFixed(0)} s.` + (SYS.includes('tracecast') ? ` tracecast: ${measured}.` : ''),
    '',
    table(rows),
    '',
    'msgs/s: deliveries / (last delivery − first publish), full-speed runs (paced runs in parentheses: just rate × subs).',
    'Latency: publish (before XADD) → subscriber decoded it, CLOCK_MONOTONIC. gw µs/msg: gateway CPU-µs per delivery.',
    'CPU columns: CPU-seconds in the measurement window (go → last delivery); other CPU s: busy machine time not spent by the bench or Redis / window length (noise).',
    '',
    ...targets(rows).map((l) => `- ${l}`),
    '',
  ].join('\n');
  process.stdout.write(out);
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ options: { SUBS, FRAMES, LOADS, SYS, CLIENTS, PACED_SECONDS, BATCH, LAYOUT, CLIENT_LIB, CHECK, SIO_CLIENT, cores, tracecast: measured }, rows }, null, 2));
  process.exit(0);
}

// The whole bench is bounded too: every run is, and so is their sum.
const planned = SUBS.length * LOADS.length * SYS.length;
setTimeout(
  () => {
    log('global time limit reached: stopping');
    killAll();
    process.exit(2);
  },
  planned * (TIME_LIMIT_S + SETUP_LIMIT_MS / 1000 + 60) * 1000,
).unref();

void main().catch((err) => {
  log(`failed: ${(err as Error).stack}`);
  killAll();
  process.exit(1);
});
