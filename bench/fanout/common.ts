/** Shared by the fan-out bench's processes: the frame, the shared clock, the latency histogram, /proc readers, IPC messages. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../../protocol/codec.ts';

export type System = 'tracecast' | 'bare' | 'sio';
export const SYSTEMS: System[] = ['tracecast', 'bare', 'sio'];
export const SYSTEM_LABEL: Record<System, string> = {
  tracecast: 'tracecast gateway',
  bare: 'bare uWS gateway',
  sio: 'Socket.IO + redis-streams',
};

/** XADD MAXLEN ~ for every stream the bench writes: tracecast's default TRACECAST_LOG_MAX_LENGTH, so no system trims during a run. */
export const STREAM_MAX_LEN = 1_000_000;
/** Event name and room of the Socket.IO system. */
export const SIO_EVENT = 'f';
export const SIO_ROOM = 'bench';

/**
 * Microseconds on CLOCK_MONOTONIC. Every process on the machine reads the same clock, so a timestamp taken by the
 * publisher and one taken by a subscriber can be subtracted.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The payload of one bench frame: what tracecast's runner emits for a line of stdout, plus `seq` and `t`. */
export interface BenchFrame {
  type: 'output';
  session: string;
  run: string;
  stream: 'stdout';
  text: string;
  step: number;
  /** 0..frames-1 for measured frames, -1 for the warm-up frame. */
  seq: number;
  /** Publish time, nowUs(). */
  t: number;
}

export const FRAME_BYTES = 200;

/** Builds frames of about FRAME_BYTES bytes (as MessagePack, before tracecast's `pos`) for one session. */
export function frameMaker(session: string, run: string): (seq: number, t: number) => BenchFrame {
  const base = (text: string): BenchFrame => ({ type: 'output', session, run, stream: 'stdout', text, step: 1_000_000, seq: 1_000_000, t: nowUs() });
  const overhead = encode(base('')).length;
  const text = 'x'.repeat(Math.max(0, FRAME_BYTES - overhead - 2)) + '\n';
  return (seq, t) => ({ type: 'output', session, run, stream: 'stdout', text, step: seq, seq, t });
}

// ---------------------------------------------------------------------------------------------------------------
// Latency histogram (µs): 10 µs buckets below 100 ms, 1 ms buckets up to 200 s.

const FINE_LIMIT = 100_000;
const FINE_WIDTH = 10;
const FINE_BUCKETS = FINE_LIMIT / FINE_WIDTH;
const COARSE_WIDTH = 1_000;
const BUCKETS = FINE_BUCKETS + 200_000;

export class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;
  max = 0;

  add(us: number): void {
    const v = us < 0 ? 0 : us;
    const i = v < FINE_LIMIT ? Math.floor(v / FINE_WIDTH) : Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor((v - FINE_LIMIT) / COARSE_WIDTH));
    this.counts[i]++;
    this.total++;
    if (v > this.max) this.max = v;
  }

  /** Non-empty buckets as [index, count] pairs (compact for IPC). */
  toPairs(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) out.push([i, this.counts[i]]);
    return out;
  }

  merge(pairs: Array<[number, number]>, max: number): void {
    for (const [i, n] of pairs) {
      this.counts[i] += n;
      this.total += n;
    }
    if (max > this.max) this.max = max;
  }

  /** The value (µs, bucket midpoint) at quantile q. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < FINE_BUCKETS ? i * FINE_WIDTH + FINE_WIDTH / 2 : FINE_LIMIT + (i - FINE_BUCKETS) * COARSE_WIDTH + COARSE_WIDTH / 2;
    }
    return this.max;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// /proc readers (Linux).

const CLK_TCK = 100;

/** utime + stime of a process (all its threads), in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak RSS over the process's life) in kB. */
export function memoryKb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(/^(\w+):\s+(\d+)/m.exec(status.slice(status.indexOf(`${name}:`)))?.[2] ?? NaN);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return null;
  }
}

/** Direct children of a process. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bench-only dependencies (bench/package.json), loaded by path at run time so that the root typecheck and the
// tracecast/bare systems work without them.

const here = dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = join(here, '..');

/** Imports a package installed in bench/node_modules; throws a helpful error when `npm install --prefix bench` was not run. */
export async function importBenchDependency(name: string): Promise<any> {
  const require = createRequire(join(BENCH_DIR, 'package.json'));
  let resolved: string;
  try {
    resolved = require.resolve(name);
  } catch {
    throw new Error(`${name} is not installed: run \`npm install --prefix bench\` (bench-only dev dependencies)`);
  }
  const mod = await import(resolved);
  // CommonJS packages: their exports are on `default`; keep the named ones Node detected too.
  return Object.assign({}, mod.default, mod);
}

// ---------------------------------------------------------------------------------------------------------------
// IPC between run.ts and its children.

export interface ClientStart {
  cmd: 'start';
  system: System;
  url: string;
  session: string;
  conns: number;
  frames: number;
  /** For Socket.IO: a raw engine.io v4 client over `ws` (default), or the official socket.io-client. */
  sioClient: 'raw' | 'official';
  /** WebSocket client: lean-ws.ts or the `ws` package. */
  clientLib: 'lean' | 'ws';
  /** fast: seq/t read from the frame's tail, 1 in 64 fully decoded and compared; full: every frame decoded. */
  check: 'fast' | 'full';
  hardLimitMs: number;
}

export interface ClientReport {
  ev: 'report';
  conns: number;
  /** Conns that received every frame. */
  completeConns: number;
  /** Measured frames received, duplicates included. */
  deliveries: number;
  /** Missing frames below the highest one a connection received (holes: lost, not late). */
  holes: number;
  /** Missing frames above the highest one a connection received (not delivered by the end of the run). */
  tailMissing: number;
  duplicates: number;
  reordered: number;
  /** Connections closed by the server or failed during the run. */
  closed: number;
  closeReasons: Record<string, number>;
  /** Fast-path seq/t that differed from a full decode, and messages of no expected kind: both must be 0. */
  mismatches: number;
  unexpected: number;
  /** Expected non-frame messages (tracecast `presence`). */
  control: number;
  /** tracecast connections closed with a resumable code (4001/4002) that reconnected and resumed from their last pos. */
  resumes: number;
  resumeReasons: Record<string, number>;
  /** Up to 5 connections with holes, described. */
  holeDetails: string[];
  firstRecvUs: number | null;
  lastRecvUs: number | null;
  latency: Array<[number, number]>;
  latencyMax: number;
}

export type ClientEvent =
  | { ev: 'connected'; ms: number }
  | { ev: 'warm' }
  | { ev: 'progress'; deliveries: number }
  | { ev: 'complete' }
  | { ev: 'failed'; error: string }
  | ClientReport;

export type PublisherCommand =
  | { cmd: 'init'; system: System; redisUrl: string; session: string; run: string; sioStream: string; hardLimitMs: number }
  | { cmd: 'warmup' }
  | { cmd: 'go'; frames: number; rate: number; batch: number };

export type PublisherEvent =
  | { ev: 'ready' }
  | { ev: 'done'; published: number; firstUs: number; lastUs: number; frameBytes: number }
  | { ev: 'failed'; error: string };
