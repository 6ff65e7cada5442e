/**
 * bench/scale: execution past one machine and class bursts, beside the single-machine figures of the code before
 * the change (a worktree of --before), measured in the same run. See bench/scale/README.md.
 *
 *   flock /tmp/bench.lock node --import tsx bench/scale/run.ts                    # every section
 *   flock /tmp/bench.lock node --import tsx bench/scale/run.ts --only burst       # sections: queue, throughput, recovery, runner-path, burst
 *   flock /tmp/bench.lock node --import tsx bench/scale/run.ts --only runner-path --before <commit> [--rounds 21]
 *   node --import tsx bench/scale/run.ts --before <commit> --students 50,200
 *
 * Needs Docker and the sandbox images; REDIS_URL for the sections that use Redis. Talks only to 127.0.0.1.
 */
import os from 'node:os';
import { classBurst, type BurstResult } from './burst.ts';
import { fmtMs, log, median, pct, stealMeter, table, untilQuiet } from '../lib/report.ts';
import { addTree, ROOT } from './common.ts';
import { killedGateway, killedRunner, throughput } from './deployments.ts';
import { queueOverhead } from './queue-overhead.ts';
import { ratio, runnerPath, type RunnerPath } from './runner-path.ts';

interface Options {
  before: string;
  only: Set<string> | null;
  students: number[];
  sides: Set<string>;
  /** Extra server environment for the "after" side (tuning trials). */
  env: Record<string, string>;
  quick: boolean;
  /** Rounds of the runner path (each: the tracer alone, then each server). */
  rounds: number;
}

// The last commit before issue 19's work (class bursts, the queue port).
const DEFAULT_BEFORE = '798f4e3';

function parseArgs(argv: string[]): Options {
  const o: Options = { before: DEFAULT_BEFORE, only: null, students: [50, 200], sides: new Set(['before', 'after']), env: {}, quick: false, rounds: 21 };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const v = () => argv[++k] ?? (() => { throw new Error(`${a} needs a value`); })();
    if (a === '--before') o.before = v();
    else if (a === '--only') o.only = new Set(v().split(','));
    else if (a === '--students') o.students = v().split(',').map(Number);
    else if (a === '--sides') o.sides = new Set(v().split(','));
    else if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--env') {
      const [k, ...rest] = v().split('=');
      o.env[k] = rest.join('=');
    }
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const wants = (o: Options, section: string) => !o.only || o.only.has(section);

async function burstSection(o: Options): Promise<string> {
  const { tree, remove } = addTree(o.before);
  const rows: Array<{ code: string; r: BurstResult }> = [];
  try {
    for (const students of o.students) {
      for (const prewarm of [true, false]) {
        for (const [code, dir] of [[`before (${o.before})`, tree], ['after (this checkout)', ROOT]] as const) {
          if (!o.sides.has(code.split(' ')[0])) continue;
          log(`class burst: ${code}, ${students} students, ${prewarm ? 'session opened for them' : 'no pre-warming'}`);
          rows.push({ code, r: await classBurst(dir, students, prewarm, code.startsWith('after') ? o.env : {}) });
        }
      }
    }
  } finally {
    remove();
  }
  const out = table(
    ['code', 'students', 'session opened for them', 'warm at Run', 'warming s', 'refused (busy)', 'not ok', 'first step p50', 'first step p99', 'run.ended p50', 'run.ended p99'],
    rows.map(({ code, r }) => [
      code,
      String(r.students),
      r.prewarm ? 'yes' : 'no',
      String(r.warmAtStart),
      r.prewarm ? r.warmingSeconds.toFixed(1) : '',
      String(r.refused),
      r.failed.length ? `${r.failed.length} (${[...new Set(r.failed)].join(', ')})` : '0',
      fmtMs(pct(r.first, 50)),
      fmtMs(pct(r.first, 99)),
      fmtMs(pct(r.end, 50)),
      fmtMs(pct(r.end, 99)),
    ]),
  );
  const after = (students: number, prewarm: boolean) => rows.find((x) => x.code.startsWith('after') && x.r.students === students && x.r.prewarm === prewarm)?.r;
  const targets: string[][] = [];
  const target = (what: string, r: BurstResult | undefined, measured: (r: BurstResult) => number, limit: number, unit = 'ms') => {
    if (!r) return;
    const m = measured(r);
    targets.push([what, `${r.refused} busy, ${unit === 'ms' ? fmtMs(m) + ' ms' : m}`, `0 busy, ≤ ${limit} ${unit}`, r.refused === 0 && r.failed.length === 0 && m <= limit ? 'yes' : 'NO']);
  };
  target('50 students, session opened for 50: first step p99', after(50, true), (r) => pct(r.first, 99), 1500);
  target('50 students, no pre-warming: first step p99', after(50, false), (r) => pct(r.first, 99), 5000);
  target('200 students, session opened for 200: run.ended p99', after(200, true), (r) => pct(r.end, 99), 10_000);
  return `### Class burst (ms from Run to the first step / to run.ended; README defaults)\n\n${out}\n\n### Targets\n\n${table(['target', 'measured', 'target', 'met'], targets)}\n`;
}

const REDIS_URL = process.env.REDIS_URL;

async function queueSection(o: Options): Promise<string> {
  log('queue overhead');
  const q = await queueOverhead(REDIS_URL, o.quick ? 100 : 500);
  const row = (name: string, xs: number[]) => [name, String(xs.length), fmtMs(pct(xs, 50)), fmtMs(pct(xs, 99)), fmtMs(Math.max(...xs))];
  const rows = [row('in-process (one server, before and after)', q.memory), ...(q.bullmq ? [row('BullMQ on Redis (gateway → runner)', q.bullmq)] : [])];
  const p99 = q.bullmq ? pct(q.bullmq, 99) : NaN;
  return `### Queue overhead (ms from submit to the runner's worker, one run at a time)\n\n${table(['queue', 'runs', 'p50', 'p99', 'max'], rows)}\n\nTarget: p99 ≤ 10 ms (BullMQ): ${fmtMs(p99)} ms — ${p99 <= 10 ? 'met' : 'NOT met'}.\n`;
}

async function throughputSection(o: Options): Promise<string> {
  const rows = await throughput(REDIS_URL, o.quick ? 5000 : 12_000);
  return `### One-line runs per second (8 connections, one run in flight each)\n\n${table(['path', 'runs', 'not ok', 'runs/s'], rows.map((r) => [r.path, String(r.runs), String(r.bad), r.runsPerSecond.toFixed(1)]))}\n`;
}

async function recoverySection(): Promise<string> {
  if (!REDIS_URL) return '### Recovery\n\n(needs REDIS_URL)\n';
  log('recovery: a runner killed mid-run');
  const r = await killedRunner(REDIS_URL);
  log('recovery: a gateway killed mid-run');
  const g = await killedGateway(REDIS_URL);
  return `### Recovery (default TRACECAST_RUNNER_LOST_MS, 30 s)\n\n${table(
    ['what is killed (SIGKILL)', 'until', 'ms', 'detail'],
    [
      ['a runner, mid-run', "its watcher's run.ended", fmtMs(r.ms), `${r.verdict}: ${r.message}`],
      ['a gateway, mid-run', 'the watcher, reconnected to another gateway, gets the next frame', fmtMs(g.ms), `${g.lost} lines lost, ${g.doubled} doubled`],
    ],
  )}\n`;
}

async function runnerPathSection(o: Options): Promise<string> {
  log('the runner path: a 50,000-step program');
  const before = o.sides.has('before') ? addTree(o.before) : null;
  let r: RunnerPath;
  let steal: number;
  try {
    log(`  the CPUs quiet after ${((await untilQuiet()) / 1000).toFixed(0)} s`);
    const meter = stealMeter();
    r = await runnerPath(o.quick ? 3 : o.rounds, before?.tree);
    steal = meter();
  } finally {
    before?.remove();
  }
  const x = ratio(r);
  return `### The runner path (bubble sort of 200 numbers, ${r.steps} steps; medians of ${r.wallMs.length})\n\n${table(
    ['measure', 'median ms', 'all (ms)'],
    [
      ['tracer alone (bench/tracer harness: job → end frame)', fmtMs(median(r.tracerMs)), r.tracerMs.map(fmtMs).join(', ')],
      ["server's run.ended.wallMs", fmtMs(median(r.wallMs)), r.wallMs.map(fmtMs).join(', ')],
      ...(r.beforeWallMs.length > 0 ? [[`server's run.ended.wallMs, before (${o.before})`, fmtMs(median(r.beforeWallMs)), r.beforeWallMs.map(fmtMs).join(', ')]] : []),
      ['client: request → first step', fmtMs(median(r.firstMs)), r.firstMs.map(fmtMs).join(', ')],
      ['client: request → run.ended', fmtMs(median(r.endedMs)), r.endedMs.map(fmtMs).join(', ')],
    ],
  )}\n\nServer wall time / tracer alone: ${x.toFixed(2)}× (target ≤ 1.3×: ${x <= 1.3 ? 'met' : 'NOT met'}; the median of each round's own ratio: ${median(r.wallMs.map((w, k) => w / r.tracerMs[k])).toFixed(2)}×)${r.beforeWallMs.length > 0 ? `; before: ${(median(r.beforeWallMs) / median(r.tracerMs)).toFixed(2)}×` : ''}. CPU time stolen by the hypervisor during the rounds: ${Number.isNaN(steal) ? 'unknown' : `${(steal * 100).toFixed(1)}%`}.\n`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`bench/scale: ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // Each section's table as soon as it is measured: a later failure keeps the earlier ones.
  const print = (part: string) => process.stdout.write(part + '\n');
  if (wants(o, 'queue')) print(await queueSection(o));
  if (wants(o, 'throughput')) print(await throughputSection(o));
  if (wants(o, 'recovery')) print(await recoverySection());
  if (wants(o, 'runner-path')) print(await runnerPathSection(o));
  if (wants(o, 'burst')) print(await burstSection(o));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
