/**
 * Tracer bench: steps per second, bytes per step on the wire and peak RSS of tracecast's tracers
 * (tracer-runtimes/python/tracer.py, tracer-runtimes/javascript/tracer.mjs) beside a full-snapshot baseline
 * (bench/tracer/baseline/) measured in the same run, in the same sandbox image with the same container limits.
 *
 *   node --import tsx bench/tracer/run.ts [--quick] [--reps N] [--no-profile]
 *   node --import tsx bench/tracer/run.ts --bytes      (bytes per step on the wire only: each program once per tracer)
 *   node --import tsx bench/tracer/run.ts --scaling    (each speed program at ~1x and ~4x its steps: cost per step vs per run)
 *
 * Needs Docker and the sandbox images (`node --import tsx sandbox-images/build.ts all`). See README.md.
 */
import os from 'node:os';
import { nanoid } from 'nanoid';
import type { Language } from './harness.ts';
import { buildImages } from '../../sandbox-images/images.ts';
import type { SandboxProcess } from '../../server/sandbox/sandbox.ts';
import { baselineSandbox, discard, jobFor, LIMITS, ourSandbox, prestart, runJob, startReady, useImages, type RunResult } from './harness.ts';
import { jsCpuProfile, pythonAblation } from './profile.ts';
import { PROGRAMS, SCALED, STEPS_100K, STEPS_10K, STEPS_1M, type Program } from './programs.ts';
import { median, num, table } from './table.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const bytesOnly = args.includes('--bytes');
const scaling = args.includes('--scaling');
const repsArg = args.indexOf('--reps');
const REPS = bytesOnly ? 1 : repsArg >= 0 ? Number(args[repsArg + 1]) : quick ? 1 : 3;
const doProfile = !quick && !bytesOnly && !scaling && !args.includes('--no-profile');
/** A run longer than this is stopped and its prefix measured (the brief: a baseline that can't finish in 60 s). */
const CAP_MS = { ours: quick ? 20_000 : 60_000, baseline: quick ? 3_000 : 60_000 };
/** Baseline repetitions only while a run takes less than this (a slow baseline is measured once). */
const BASELINE_REPEAT_BELOW_MS = 5_000;
const LANGS: Language[] = ['python', 'javascript'];
const MAIN = scaling ? SCALED.flat() : quick ? PROGRAMS.filter((p) => p.key !== 'steps1m') : PROGRAMS;
const RSS_SMALL = STEPS_10K;
const RSS_LARGE = quick ? STEPS_100K : STEPS_1M;
const noRss = bytesOnly || scaling;
const ALL = noRss ? MAIN : [...MAIN, RSS_SMALL, ...(quick ? [RSS_LARGE] : [])];

// Targets of the brief (reported, never adjusted).
const SPEEDUP_TARGET: Partial<Record<Program['key'], number>> = { bubble: 20, fib: 20, loop: 5 };
const BYTES_TARGET = 1 / 20;
const RSS_TARGET = 0.2;

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

const runnerId = `bench-tracer-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
// Tags are content hashes of the tracer files: (re)build what is missing, and keep those tags for the whole run.
const built = await buildImages({ langs: LANGS, log: (stage, msg) => log(`images: [${stage}] ${msg}`) });
useImages(built.images);
const ours = ourSandbox(runnerId);
const base = baselineSandbox(runnerId);
const cleanup = () => ours.reap().catch(() => 0);
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));


interface Cell {
  runs: RunResult[];
  steps: number;
  ms: number;
  stepsPerSec: number;
  /** CPU µs per step: the CPU for the job (cpuOf) minus that of an empty program, / steps. */
  cpuUsPerStep: number;
  bytesPerStep: number;
  channelBytesPerStep: number;
  encodeUsPerStep: number;
  rssKb: number;
  capped: boolean;
}

/** A run's CPU ms: the container's from the job to `end` where its cgroup is readable, else the whole process's. */
const cpuOf = (r: RunResult): number => (Number.isFinite(r.jobCpuMs) ? r.jobCpuMs : r.cpuMs);

function summarize(runs: RunResult[], emptyCpuMs: number): Cell {
  const wire = runs.find((r) => r.wireBytes !== undefined)!;
  return {
    runs,
    steps: median(runs.map((r) => r.steps)),
    ms: median(runs.map((r) => r.ms)),
    stepsPerSec: median(runs.map((r) => r.steps / (r.ms / 1000))),
    cpuUsPerStep: median(runs.map((r) => ((cpuOf(r) - emptyCpuMs) * 1000) / r.steps)),
    bytesPerStep: wire.wireBytes! / wire.steps,
    channelBytesPerStep: wire.channelBytes! / wire.steps,
    encodeUsPerStep: wire.encodeUsPerStep!,
    rssKb: median(runs.filter((r) => !r.capped).map((r) => r.peakRssKb ?? NaN)),
    capped: runs.some((r) => r.capped),
  };
}

/**
 * CPU ms per job (less an empty program's) at two sizes of one program: the slope is the cost of a step once the run is
 * under way, the intercept what the run costs besides (for JavaScript, V8 compiling the learner's program and recompiling
 * hooks that meet shapes the warm-up did not show: README.md).
 */
function scalingTable(results: Map<string, { ours: Cell; base: Cell }>): string {
  const rows: string[][] = [];
  for (const lang of LANGS) {
    for (const [small, large] of SCALED) {
      const s = results.get(`${lang}/${small.key}`)!;
      const l = results.get(`${lang}/${large.key}`)!;
      const fit = (a: Cell, b: Cell) => {
        const [ma, mb] = [(a.cpuUsPerStep * a.steps) / 1000, (b.cpuUsPerStep * b.steps) / 1000];
        const perStepUs = ((mb - ma) * 1000) / (b.steps - a.steps);
        return { ma, mb, perStepUs, fixedMs: ma - (perStepUs * a.steps) / 1000 };
      };
      const o = fit(s.ours, l.ours);
      const b = fit(s.base, l.base);
      rows.push([
        lang,
        `${small.label} → ${large.label}`,
        `${num(s.ours.steps)} → ${num(l.ours.steps)}`,
        `${num(o.ma)} → ${num(o.mb)}`,
        `${num(b.ma)} → ${num(b.mb)}`,
        num(o.perStepUs),
        num(b.perStepUs),
        `${(b.perStepUs / o.perStepUs).toFixed(1)}x`,
        num(o.fixedMs),
        num(b.fixedMs),
        `${(s.base.cpuUsPerStep / s.ours.cpuUsPerStep).toFixed(1)}x → ${(l.base.cpuUsPerStep / l.ours.cpuUsPerStep).toFixed(1)}x`,
      ]);
    }
  }
  return [
    table(['lang', 'program', 'ours steps', 'ours CPU ms', 'baseline CPU ms', 'ours µs/step', 'baseline µs/step', 'per-step ratio', 'ours ms per run', 'baseline ms per run', 'CPU ratio, 1x → 4x'], rows),
    '',
    'CPU ms: median CPU of the job less an empty program\'s, at the two sizes. µs/step: the slope between them (the cost of',
    'one more step); ms per run: the intercept (what a run costs besides its steps). The last column is the main table\'s',
    'CPU ratio at each size.',
  ].join('\n');
}

/** A started sandbox: one started ahead, else one started now (before the timing starts either way). */
async function take(which: 'ours' | 'baseline', lang: Language, warm: SandboxProcess[]): Promise<SandboxProcess> {
  return warm.shift() ?? startReady(which === 'ours' ? ours : base, lang);
}

/** The 1,000,000-step program runs once per tracer (its steps/s is not a target; its RSS is): the bench stays within ~5 minutes. */
const repsOf = (prog: Program) => (prog.key === 'steps1m' ? 1 : REPS);

/** Median CPU ms of an empty program (its job's set-up and end; with no cgroup, start-up and exit too), subtracted from every job. */
async function emptyCpu(which: 'ours' | 'baseline', lang: Language, warm: SandboxProcess[]): Promise<number> {
  const cpu: number[] = [];
  for (let rep = 0; rep < REPS; rep++) cpu.push(cpuOf(await runJob(await take(which, lang, warm), jobFor(''), { capMs: 30_000, sandbox: which === 'ours' ? ours : base })));
  log(`${lang} ${which} empty program: CPU ${cpu.map((c) => c.toFixed(1)).join(', ')} ms`);
  return median(cpu);
}

async function measure(which: 'ours' | 'baseline', lang: Language, prog: Program, warm: SandboxProcess[], emptyCpuMs: number): Promise<Cell> {
  const job = jobFor(prog.code[lang]);
  const runs: RunResult[] = [];
  for (let rep = 0; rep < repsOf(prog); rep++) {
    const proc = await take(which, lang, warm);
    // Ours as the runner sends it; the baseline's snapshots as plain step maps, as a full-snapshot server would.
    const wire = rep === 0 ? (which === 'ours' ? 'compact' : 'full') : undefined;
    const r = await runJob(proc, job, { capMs: which === 'ours' ? CAP_MS.ours : CAP_MS.baseline, wire, sandbox: which === 'ours' ? ours : base });
    runs.push(r);
    log(`${lang} ${prog.key} ${which} #${rep + 1}: ${r.steps} steps in ${r.ms.toFixed(0)} ms${r.capped ? ' (capped)' : ''}, CPU ${r.jobCpuMs.toFixed(1)} ms for the job, ${r.cpuMs} ms for the process, rss ${r.peakRssKb} kB; load ${load()}`);
    if (which === 'baseline' && (r.capped || r.ms > BASELINE_REPEAT_BELOW_MS)) break;
  }
  return summarize(runs, emptyCpuMs);
}

async function main() {
  log(`images ${JSON.stringify(built.images)}`);
  await cleanup();
  const loadBefore = load();
  log(`runner ${runnerId}; limits ${JSON.stringify(LIMITS)}; ${REPS} rep(s); caps ${JSON.stringify(CAP_MS)}; load ${loadBefore}`);
  const results = new Map<string, { ours: Cell; base: Cell }>();
  for (const lang of LANGS) {
    // Started ahead, as the server's warm pool does: timing starts when the job is sent to a ready sandbox.
    // A slow baseline runs once: start one per program ahead, more on demand.
    const empties = bytesOnly ? 0 : REPS;
    const warmOurs = await prestart(ours, lang, empties + ALL.reduce((n, p) => n + repsOf(p), 0));
    const warmBase = await prestart(base, lang, empties + ALL.length);
    log(`${lang}: ${warmOurs.length + warmBase.length} sandboxes ready`);
    try {
      // --bytes reports no CPU figures: no empty-program runs to subtract.
      const emptyOurs = bytesOnly ? NaN : await emptyCpu('ours', lang, warmOurs);
      const emptyBase = bytesOnly ? NaN : await emptyCpu('baseline', lang, warmBase);
      for (const prog of ALL) {
        // Interleaved per program, so drift on the machine touches both columns alike.
        const o = await measure('ours', lang, prog, warmOurs, emptyOurs);
        const b = await measure('baseline', lang, prog, warmBase, emptyBase);
        results.set(`${lang}/${prog.key}`, { ours: o, base: b });
      }
    } finally {
      await Promise.all([...warmOurs, ...warmBase].map((p) => discard(p).catch(() => undefined)));
    }
  }

  const out: string[] = [];
  out.push(
    `Machine: ${os.cpus().length} CPUs, load average ${loadBefore} at start, ${load()} at the end of the measurements. Sandbox limits: ${LIMITS.memoryMb} MB, ${LIMITS.cpus} CPU (the server's defaults), both tracers.`,
    '',
  );
  const speedRows: string[][] = [];
  const bytesRows: string[][] = [];
  const missed: string[] = [];
  for (const lang of LANGS) {
    for (const prog of MAIN) {
      const { ours: o, base: b } = results.get(`${lang}/${prog.key}`)!;
      const x = o.stepsPerSec / b.stepsPerSec;
      const target = SPEEDUP_TARGET[prog.key];
      const cx = b.cpuUsPerStep / o.cpuUsPerStep;
      const met = target === undefined ? '' : `wall ${x >= target ? 'yes' : 'NO'}, CPU ${cx >= target ? 'yes' : 'NO'}`;
      if (!bytesOnly && target !== undefined && (x < target || cx < target)) missed.push(`${lang} ${prog.key} speed ${x.toFixed(2)}x wall, ${cx.toFixed(2)}x CPU < ${target}x`);
      speedRows.push([
        lang,
        prog.label,
        `${num(o.steps)}${o.capped ? ' (prefix)' : ''}`,
        num(o.ms),
        num(o.stepsPerSec),
        `${num(b.steps)}${b.capped ? ' (prefix)' : ''}`,
        num(b.ms),
        num(b.stepsPerSec),
        `${x.toFixed(1)}x`,
        target === undefined ? '' : `≥${target}x: ${met}`,
        num(o.cpuUsPerStep),
        num(b.cpuUsPerStep),
        Number.isFinite(cx) ? `${cx.toFixed(1)}x` : '–',
        `${o.runs.length}/${b.runs.length}`,
      ]);
      const ratio = o.bytesPerStep / b.bytesPerStep;
      const bmet = ratio <= BYTES_TARGET ? 'yes' : 'NO';
      if (bmet === 'NO') missed.push(`${lang} ${prog.key} bytes 1/${(1 / ratio).toFixed(1)} of baseline`);
      bytesRows.push([
        lang,
        prog.label,
        num(o.bytesPerStep),
        num(b.bytesPerStep),
        `1/${(1 / ratio).toFixed(1)}`,
        `≤1/20 ${bmet}`,
        num(o.channelBytesPerStep),
        num(b.channelBytesPerStep),
        num(o.encodeUsPerStep),
      ]);
    }
  }
  if (!bytesOnly) out.push(
    `## Throughput: steps per second, job sent → \`end\` frame (median of runs)`,
    '',
    table(
      ['lang', 'program', 'ours steps', 'ours ms', 'ours steps/s', 'baseline steps', 'baseline ms', 'baseline steps/s', 'ours/baseline', 'target', 'ours CPU µs/step', 'baseline CPU µs/step', 'CPU ratio', 'runs'],
      speedRows,
    ),
    '',
    'ms: job sent → `end` frame (wall). CPU µs/step: CPU (user+sys) the sandbox container used from the job sent to the `end`',
    'frame (its cgroup), minus the same for an empty program, per step — the load-independent view of the same runs.',
    '"(prefix)": stopped at the cap, the steps received by then.',
    '',
  );
  out.push(
    '## Bytes per step on the wire (MessagePack `steps` frames as clients receive them, `pos` included)',
    '',
    table(['lang', 'program', 'ours B/step', 'baseline B/step', 'ours/baseline', 'target', 'ours channel B/step', 'baseline channel B/step', 'ours runner µs/step'], bytesRows),
    '',
    'Ours: the compact form the runner sends (protocol/steps-wire.ts); the baseline: each snapshot as a plain step map.',
    '"channel": the tracer\'s JSON frames on the sandbox channel, for comparison. "runner": host time the runner spends',
    'on ours after JSON.parse (validate, expanding the channel\'s compact form; compact; encode), the fastest of 3 passes.',
  );
  const rssRows: string[][] = [];
  for (const lang of noRss ? [] : LANGS) {
    const s = results.get(`${lang}/${RSS_SMALL.key}`)!;
    const l = results.get(`${lang}/${RSS_LARGE.key}`)!;
    const growth = l.ours.rssKb / s.ours.rssKb - 1;
    const met = l.ours.capped ? 'NO (did not complete)' : growth <= RSS_TARGET ? 'yes' : 'NO';
    if (met !== 'yes') missed.push(`${lang} RSS growth ${(growth * 100).toFixed(1)}%`);
    rssRows.push([
      lang,
      `${num(s.ours.steps)} → ${num(l.ours.steps)}`,
      num(s.ours.rssKb),
      num(l.ours.rssKb),
      `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%`,
      `≤+20% ${met}`,
      num(s.base.rssKb),
      l.base.capped ? '– (prefix only)' : num(l.base.rssKb),
    ]);
  }
  if (scaling) out.push('', '## Cost per step and per run: each program at ~1x and ~4x its steps', '', scalingTable(results));
  if (!noRss) {
    out.push(
      '',
      `## Peak RSS of the tracer process (\`end.peakRssKb\`): the same loop at 10,000 and at ${quick ? '100,000' : '1,000,000'} steps`,
      '',
      table(['lang', 'steps', 'ours kB, small', 'ours kB, large', 'growth', 'target', 'baseline kB, small', 'baseline kB, large'], rssRows),
    );
  }

  // Printed now: a failure while profiling must not lose the measurements.
  console.log(out.join('\n'));
  out.length = 0;
  if (doProfile) {
    const profiled = PROGRAMS.filter((p) => p.key !== 'steps1m');
    const hostRuns = (lang: Language) =>
      new Map(profiled.map((p) => [p.key as string, { oursCpuUs: results.get(`${lang}/${p.key}`)!.ours.cpuUsPerStep, baseCpuUs: results.get(`${lang}/${p.key}`)!.base.cpuUsPerStep, steps: results.get(`${lang}/${p.key}`)!.ours.steps }]));
    out.push('', '## Where the time per step goes: Python (ablation)', '', await pythonAblation(runnerId, profiled, hostRuns('python'), REPS, log));
    out.push('', '## Where the time per step goes: JavaScript (`--cpu-prof`)', '', await jsCpuProfile(runnerId, profiled, hostRuns('javascript'), REPS, log));
  }

  out.push('', missed.length ? `Targets missed: ${missed.join('; ')}.` : 'All targets met.');
  const mode = quick ? ' (--quick: 1 run each, baseline capped at 3 s, RSS at 100,000 steps, no profile)' : bytesOnly ? ' (--bytes: 1 run each, bytes only)' : scaling ? ' (--scaling)' : '';
  out.push(`Total bench time ${((performance.now() - t0) / 1000).toFixed(0)} s${mode}; load average at the end ${load()}.`);
  console.log(out.join('\n'));
}

try {
  await main();
} finally {
  await cleanup();
}
