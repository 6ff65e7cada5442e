/**
 * Runner bench: request → first step and request → `run.ended` latency (p50/p95/p99) and sustained runs per second,
 * through a real server (`node bin/tracecast.mjs serve`) with its warm sandbox pool, beside the COLD path (pool
 * size 0: every run creates its own container) and the bare Docker engine loop measured in the same run.
 *
 *   node --import tsx bench/runner/run.ts [--quick] [--throughput] [--redis]
 *
 * Needs Docker and the sandbox images (built here if missing). Talks only to 127.0.0.1. See README.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { buildImages } from '../../sandbox-images/images.ts';
import { loadConfig } from '../../server/config.ts';
import { DockerSandbox } from '../../server/sandbox/sandbox-docker.ts';
import { images, jobFor, prestart, runJob, useImages } from '../tracer/harness.ts';
import { fmtMs, log, pct, sleep, table } from '../lib/report.ts';
import { reap, startServer, type Server } from '../lib/server.ts';
import { Student, type RunTiming } from '../lib/student.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const useRedis = args.includes('--redis');
/** Only runs per second: the engine loop and the sustained phases, no latency phases. */
const throughputOnly = args.includes('--throughput');

const POOL_SIZE = 8;
const CONCURRENCY = 8;
/** The pool refills with as many container starts at once as runs may execute at once (see README). */
const REFILL_CONCURRENCY = 8;
const LANG = 'python';
const N = quick
  ? { c1: { oneLine: 8, bubble: 3 }, bursts: { oneLine: 1, bubble: 1 }, coldC1: { oneLine: 4, bubble: 2 }, sustainMs: 3_000, engineMs: 3_000, floor: 8 }
  : { c1: { oneLine: 40, bubble: 20 }, bursts: { oneLine: 5, bubble: 3 }, coldC1: { oneLine: 20, bubble: 10 }, sustainMs: 12_000, engineMs: 12_000, floor: 20 };
/** Generous: under load, 8 bubble sorts at once on a small machine can pass the default 10 s and end as `timeout`. */
const TIMEOUT_MS = 60_000;

const PROGRAMS = {
  oneLine: { label: 'one-line program', code: 'x = 1\n' },
  bubble: {
    label: 'bubble sort, 200 numbers',
    code: `a = []
s = 12345
for k in range(200):
    s = (s * 48271) % 2147483647
    a.append(s % 1000)
n = len(a)
for i in range(n):
    for j in range(n - 1 - i):
        if a[j] > a[j + 1]:
            a[j], a[j + 1] = a[j + 1], a[j]
`,
  },
} as const;
type ProgKey = keyof typeof PROGRAMS;

const t0 = performance.now();
const docker = new Docker();
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

// ------------------------------------------------------------------ server

/** This checkout's server with the bench's pool and concurrency; run records are not what is measured: no database of any kind, not even the default PGlite. */
function startBenchServer(poolSize: number, extraEnv: Record<string, string>): Promise<Server> {
  return startServer(ROOT, {
    TRACECAST_POOL_SIZE: String(poolSize),
    TRACECAST_POOL_REFILL_CONCURRENCY: String(REFILL_CONCURRENCY),
    TRACECAST_MAX_CONCURRENT_RUNS: String(CONCURRENCY),
    TRACECAST_MAX_QUEUED_RUNS: '64',
    TRACECAST_TIMEOUT_MS: String(TIMEOUT_MS),
    TRACECAST_STORE: 'memory',
    ...(useRedis && process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...extraEnv,
  });
}

const warmGauge = `tracecast_pool_warm{language="${LANG}"}`;
async function waitWarm(server: Server, size: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await server.metric(warmGauge)) >= size) return true;
    await sleep(20);
  }
  return false;
}

// ------------------------------------------------------------------ phases

interface Latency {
  first: number[];
  end: number[];
  bad: string[];
  poolWaits: number;
}

/** e.g. "2 timeout, 1 internal_error". */
function verdicts(bad: string[]): string {
  const counts = new Map<string, number>();
  for (const b of bad) counts.set(b, (counts.get(b) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
}

function record(into: Latency, t: RunTiming): void {
  if (t.verdict !== 'ok') into.bad.push(t.verdict);
  into.first.push(t.first);
  into.end.push(t.end);
}

/** Concurrency 1: one owner, runs one after the other; with a pool, each starts once the pool is back to full (a learner's think time). */
async function latencyC1(server: Server, prog: ProgKey, n: number, pooled: boolean): Promise<Latency> {
  const owner = await Student.connect(server.port);
  const out: Latency = { first: [], end: [], bad: [], poolWaits: 0 };
  const waits0 = await server.metric(`tracecast_pool_waits_total{language="${LANG}"}`);
  try {
    for (let i = 0; i < n; i++) {
      if (pooled) await waitWarm(server, POOL_SIZE, 10_000);
      record(out, await owner.execute(LANG, PROGRAMS[prog].code));
    }
  } finally {
    owner.close();
  }
  out.poolWaits = (await server.metric(`tracecast_pool_waits_total{language="${LANG}"}`)) - waits0;
  return out;
}

/** Concurrency 8: bursts of 8 simultaneous runs from 8 owners; with a pool, each burst starts with the pool full. */
async function latencyC8(server: Server, prog: ProgKey, bursts: number, pooled: boolean): Promise<Latency> {
  const owners = await Promise.all(Array.from({ length: CONCURRENCY }, () => Student.connect(server.port)));
  const out: Latency = { first: [], end: [], bad: [], poolWaits: 0 };
  const waits0 = await server.metric(`tracecast_pool_waits_total{language="${LANG}"}`);
  try {
    for (let b = 0; b < bursts; b++) {
      if (pooled) await waitWarm(server, POOL_SIZE, 20_000);
      for (const t of await Promise.all(owners.map((o) => o.execute(LANG, PROGRAMS[prog].code)))) record(out, t);
    }
  } finally {
    for (const o of owners) o.close();
  }
  out.poolWaits = (await server.metric(`tracecast_pool_waits_total{language="${LANG}"}`)) - waits0;
  return out;
}

interface Rate {
  runs: number;
  seconds: number;
  perSec: number;
  bad: string[];
  firstP50: number;
}

/** Sustained: `owners` connections share `inFlight` outstanding one-line runs (8 in all) for `durationMs`. */
async function sustained(server: Server, owners: number, durationMs: number): Promise<Rate> {
  const conns = await Promise.all(Array.from({ length: owners }, () => Student.connect(server.port)));
  const perOwner = CONCURRENCY / owners;
  const bad: string[] = [];
  const firsts: number[] = [];
  let runs = 0;
  let lastEnd = 0;
  const start = performance.now();
  const stopAt = start + durationMs;
  try {
    await Promise.all(
      conns.flatMap((o) =>
        Array.from({ length: perOwner }, async () => {
          while (performance.now() < stopAt) {
            const t = await o.execute(LANG, PROGRAMS.oneLine.code);
            runs++;
            lastEnd = performance.now();
            firsts.push(t.first);
            if (t.verdict !== 'ok') bad.push(t.verdict);
          }
        }),
      ),
    );
  } finally {
    for (const o of conns) o.close();
  }
  const seconds = (lastEnd - start) / 1000;
  return { runs, seconds, perSec: runs / seconds, bad, firstP50: pct(firsts, 50) };
}

/** The bare engine: create + start + wait + remove of the python image running `python3 -c pass`, 8 at a time, same container options as the sandbox. */
async function engineLoop(image: string, durationMs: number): Promise<Rate> {
  const runnerId = `bench-engine-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  const limits = loadConfig({}).limits;
  const memory = limits.memoryMb * 1024 * 1024;
  let runs = 0;
  let lastEnd = 0;
  const bad: string[] = [];
  const start = performance.now();
  const stopAt = start + durationMs;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < stopAt) {
          const c = await docker.createContainer({
            Image: image,
            Cmd: ['python3', '-c', 'pass'],
            User: '10001:10001',
            WorkingDir: '/tmp',
            NetworkDisabled: true,
            Labels: { 'tracecast.runner': runnerId },
            HostConfig: {
              Memory: memory,
              MemorySwap: memory,
              NanoCpus: Math.round(limits.cpus * 1e9),
              PidsLimit: limits.pids,
              NetworkMode: 'none',
              ReadonlyRootfs: true,
              Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsMb}m,mode=1777` },
              CapDrop: ['ALL'],
              SecurityOpt: ['no-new-privileges'],
              Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
            },
          });
          await c.start();
          const res = (await c.wait()) as { StatusCode: number };
          await c.remove({ force: true });
          if (res.StatusCode !== 0) bad.push(`exit ${res.StatusCode}`);
          runs++;
          lastEnd = performance.now();
        }
      }),
    );
  } finally {
    await reap(runnerId);
  }
  const seconds = (lastEnd - start) / 1000;
  return { runs, seconds, perSec: runs / seconds, bad, firstP50: NaN };
}

/**
 * The floor under the warm path: a started sandbox (the image's own command, through the real adapter), the job
 * written by this process instead of a server; job sent → first `steps` frame and → `end` frame.
 */
async function sandboxFloor(prog: ProgKey, n: number): Promise<Latency> {
  const runnerId = `bench-floor-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  const sandbox = new DockerSandbox({ images: images(), runnerId });
  const out: Latency = { first: [], end: [], bad: [], poolWaits: 0 };
  try {
    const ready = await prestart(sandbox, LANG, n);
    for (const proc of ready) {
      const r = await runJob(proc, jobFor(PROGRAMS[prog].code), { capMs: TIMEOUT_MS });
      if (r.status !== 'ok') out.bad.push(r.status);
      out.first.push(r.firstStepMs);
      out.end.push(r.ms);
    }
  } finally {
    await reap(runnerId);
  }
  return out;
}

// ------------------------------------------------------------------ main

/** Images the servers used (more than one when the tracer files changed during the bench). */
const tags = new Set<string>();

interface PathResult {
  c1: Record<ProgKey, Latency>;
  c8: Record<ProgKey, Latency>;
  oneOwner: Rate;
  eightOwners: Rate;
}

/** warm: the server's defaults (pool, per-owner reuse); single: pool, a container per run (TRACECAST_REUSE=off); cold: neither. */
type PathName = 'warm' | 'single' | 'cold';
const PATH_LABEL: Record<PathName, string> = { warm: 'warm pool + per-owner reuse (default)', single: 'warm pool, reuse off', cold: 'cold (pool 0, reuse off)' };

async function measurePath(name: PathName, extraEnv: Record<string, string>, latency: boolean): Promise<PathResult> {
  const pooled = name !== 'cold';
  if (name !== 'warm') extraEnv = { ...extraEnv, TRACECAST_REUSE: 'off' };
  // The server takes the image whose tag hashes the tracer files as they are now: build it if they changed.
  const image = (await buildImages({ langs: [LANG], log: (stage, msg) => log(`images: [${stage}] ${msg}`) })).images[LANG];
  const server = await startBenchServer(pooled ? POOL_SIZE : 0, extraEnv);
  log(`${name}: server on 127.0.0.1:${server.port} (runner ${server.runnerId}, pool ${pooled ? POOL_SIZE : 0}, ${image})`);
  tags.add(image);
  try {
    if (pooled) {
      const ok = await waitWarm(server, POOL_SIZE, 120_000);
      log(`${name}: pool ${ok ? 'warm' : 'NOT warm after 120 s'} (${await server.metric(warmGauge)} ${LANG} sandboxes)`);
    }
    // One unmeasured run: module loading, JIT and the first container of this server.
    await latencyC1(server, 'oneLine', 1, pooled);
    const counts = pooled ? N.c1 : N.coldC1;
    const c1 = {} as Record<ProgKey, Latency>;
    const c8 = {} as Record<ProgKey, Latency>;
    for (const prog of latency ? (['oneLine', 'bubble'] as ProgKey[]) : []) {
      c1[prog] = await latencyC1(server, prog, counts[prog], pooled);
      const slowest = c1[prog].first.indexOf(Math.max(...c1[prog].first));
      log(`${name} c1 ${prog}: first p50 ${fmtMs(pct(c1[prog].first, 50))} ms, end p50 ${fmtMs(pct(c1[prog].end, 50))} ms (${c1[prog].first.length} runs, pool waits ${c1[prog].poolWaits}; slowest first step: run ${slowest + 1}, ${fmtMs(c1[prog].first[slowest])} ms); load ${load()}`);
    }
    for (const prog of latency ? (['oneLine', 'bubble'] as ProgKey[]) : []) {
      c8[prog] = await latencyC8(server, prog, N.bursts[prog], pooled);
      log(`${name} c8 ${prog}: first p50 ${fmtMs(pct(c8[prog].first, 50))} ms, end p50 ${fmtMs(pct(c8[prog].end, 50))} ms (${c8[prog].first.length} runs, pool waits ${c8[prog].poolWaits}); load ${load()}`);
    }
    if (pooled) await waitWarm(server, POOL_SIZE, 20_000);
    const oneOwner = await sustained(server, 1, N.sustainMs);
    log(`${name} sustained, 1 owner: ${oneOwner.runs} runs in ${oneOwner.seconds.toFixed(1)} s = ${oneOwner.perSec.toFixed(1)}/s; load ${load()}`);
    if (pooled) await waitWarm(server, POOL_SIZE, 20_000);
    const eightOwners = await sustained(server, CONCURRENCY, N.sustainMs);
    log(`${name} sustained, 8 owners: ${eightOwners.runs} runs in ${eightOwners.seconds.toFixed(1)} s = ${eightOwners.perSec.toFixed(1)}/s; load ${load()}`);
    return { c1, c8, oneOwner, eightOwners };
  } finally {
    await server.stop();
  }
}

async function main() {
  const built = await buildImages({ langs: [LANG], log: (stage, msg) => log(`images: [${stage}] ${msg}`) });
  log(`image ${built.images[LANG]}`);
  useImages(built.images);
  const extraEnv: Record<string, string> = {};
  if (useRedis) {
    const out = execFileSync('bash', [path.join(ROOT, 'scripts/ensure-redis.sh')], { encoding: 'utf8' });
    const m = /REDIS_URL=(\S+)/.exec(out);
    if (!m) throw new Error('ensure-redis.sh printed no REDIS_URL');
    extraEnv.REDIS_URL = m[1];
  }
  const loadBefore = load();
  log(`load ${loadBefore}`);
  const engine = await engineLoop(built.images[LANG], N.engineMs);
  log(`engine loop: ${engine.runs} containers in ${engine.seconds.toFixed(1)} s = ${engine.perSec.toFixed(1)}/s; load ${load()}`);
  const floor = {} as Record<ProgKey, Latency>;
  for (const prog of throughputOnly ? [] : (['oneLine', 'bubble'] as ProgKey[])) {
    floor[prog] = await sandboxFloor(prog, N.floor);
    log(`sandbox alone ${prog}: first p50 ${fmtMs(pct(floor[prog].first, 50))} ms, end frame p50 ${fmtMs(pct(floor[prog].end, 50))} ms; load ${load()}`);
  }
  const warm = await measurePath('warm', extraEnv, !throughputOnly);
  const single = await measurePath('single', extraEnv, false);
  const cold = throughputOnly ? null : await measurePath('cold', extraEnv, true);

  const out: string[] = [];
  out.push(
    `Images: ${[...tags].join(', ')}${tags.size > 1 ? ' (the tracer files changed during the bench)' : ''}.`,
    `Machine: ${os.cpus().length} CPUs, load average ${loadBefore} at start, ${load()} at the end. Server: pool ${POOL_SIZE} per language (refill ${REFILL_CONCURRENCY} at once), ${CONCURRENCY} concurrent runs, session log ${useRedis ? 'Redis' : 'in memory'}; language ${LANG}.`,
    '',
  );
  const missed: string[] = [];
  const targets: string[][] = [];
  const check = (what: string, ours: string, target: string, ok: boolean) => {
    targets.push([what, ours, target, ok ? 'yes' : 'NO']);
    if (!ok) missed.push(what);
  };
  if (cold) latencyReport(out, floor, warm, cold, check);
  check('one-line runs/s, 8 in flight, 1 owner, warm', `${warm.oneOwner.perSec.toFixed(1)}/s`, '≥ 20/s', warm.oneOwner.perSec >= 20);
  const share = warm.eightOwners.perSec / engine.perSec;
  check('one-line runs/s, 8 owners, warm / bare engine loop', `${(share * 100).toFixed(0)}%`, '≥ 90%', share >= 0.9);
  const rateRows = ([['warm', warm], ['single', single], ['cold', cold]] as const).flatMap(([name, r]) =>
    r
      ? [
          [PATH_LABEL[name], '1', `${r.oneOwner.runs}`, r.oneOwner.seconds.toFixed(1), r.oneOwner.perSec.toFixed(1), fmtMs(r.oneOwner.firstP50), verdicts(r.oneOwner.bad)],
          [PATH_LABEL[name], '8', `${r.eightOwners.runs}`, r.eightOwners.seconds.toFixed(1), r.eightOwners.perSec.toFixed(1), fmtMs(r.eightOwners.firstP50), verdicts(r.eightOwners.bad)],
        ]
      : [],
  );

  out.push(
    '## Sustained one-line runs per second, 8 in flight',
    '',
    table(
      ['path', 'owners', 'runs', 'seconds', 'runs/s', 'first step p50 ms', 'errors'],
      [...rateRows, ['bare engine loop (create+start+wait+remove, `python3 -c pass`)', '8 at once', `${engine.runs}`, engine.seconds.toFixed(1), engine.perSec.toFixed(1), '', verdicts(engine.bad)]],
      1,
    ),
    '',
    '## Targets',
    '',
    table(['target', 'measured', 'target', 'met'], targets, 1),
    '',
    missed.length ? `Targets missed: ${missed.join('; ')}.` : 'All targets met.',
    `Total bench time ${((performance.now() - t0) / 1000).toFixed(0)} s${quick ? ' (--quick: fewer runs, 3 s sustained phases)' : ''}${throughputOnly ? ' (--throughput: runs per second only)' : ''}.`,
  );
  console.log(out.join('\n'));
}

function latencyReport(
  out: string[],
  floor: Record<ProgKey, Latency>,
  warm: PathResult,
  cold: PathResult,
  check: (what: string, ours: string, target: string, ok: boolean) => void,
): void {
  out.push('## Latency (ms): request sent → first `steps` frame, and → `run.ended`', '');
  const rows: string[][] = [];
  for (const prog of ['oneLine', 'bubble'] as ProgKey[]) {
    const l = floor[prog];
    rows.push(['1', PROGRAMS[prog].label, 'sandbox alone (no server)', ...[50, 95, 99].map((p) => fmtMs(pct(l.first, p))), ...[50, 95, 99].map((p) => fmtMs(pct(l.end, p))), `${l.first.length}`, '', verdicts(l.bad)]);
  }
  for (const conc of ['c1', 'c8'] as const) {
    for (const prog of ['oneLine', 'bubble'] as ProgKey[]) {
      for (const [pathName, r] of [['warm', warm], ['cold', cold]] as const) {
        const l = r[conc][prog];
        rows.push([
          conc === 'c1' ? '1' : '8',
          PROGRAMS[prog].label,
          PATH_LABEL[pathName],
          fmtMs(pct(l.first, 50)),
          fmtMs(pct(l.first, 95)),
          fmtMs(pct(l.first, 99)),
          fmtMs(pct(l.end, 50)),
          fmtMs(pct(l.end, 95)),
          fmtMs(pct(l.end, 99)),
          `${l.first.length}`,
          pathName === 'warm' ? `${l.poolWaits}` : '',
          verdicts(l.bad),
        ]);
      }
    }
  }
  out.push(
    table(['concurrency', 'program', 'path', 'first p50', 'first p95', 'first p99', 'ended p50', 'ended p95', 'ended p99', 'runs', 'pool waits', 'errors'], rows, 3),
    '',
    '"sandbox alone": a started sandbox driven by this process, no server: job sent → first `steps` frame / → `end`',
    'frame (the tracer\'s own share of the warm path). Warm: each concurrency-1 run starts once the pool is full again,',
    'each concurrency-8 burst (8 owners, one run each) too, as after a learner\'s think time; "pool waits" counts runs',
    'that found no warm sandbox. p99 of fewer than 100 runs is the largest but one or the largest.',
    '',
  );
  const w1 = warm.c1.oneLine;
  const c1c = cold.c1.oneLine;
  const speed = pct(c1c.first, 50) / pct(w1.first, 50);
  check('first step p50, concurrency 1, warm (one-line)', `${fmtMs(pct(w1.first, 50))} ms`, '≤ 30 ms', pct(w1.first, 50) <= 30);
  check('first step p99, concurrency 1, warm (one-line)', `${fmtMs(pct(w1.first, 99))} ms`, '≤ 100 ms', pct(w1.first, 99) <= 100);
  check('first step p50, cold / warm (one-line)', `${speed.toFixed(1)}x`, '≥ 10x', speed >= 10);
  const wb = warm.c1.bubble;
  const cb = cold.c1.bubble;
  check('first step p50, concurrency 1, warm (bubble sort)', `${fmtMs(pct(wb.first, 50))} ms`, '≤ 30 ms', pct(wb.first, 50) <= 30);
  check('first step p99, concurrency 1, warm (bubble sort)', `${fmtMs(pct(wb.first, 99))} ms`, '≤ 100 ms', pct(wb.first, 99) <= 100);
  check('first step p50, cold / warm (bubble sort)', `${(pct(cb.first, 50) / pct(wb.first, 50)).toFixed(1)}x`, '≥ 10x', pct(cb.first, 50) / pct(wb.first, 50) >= 10);
}

await main();
