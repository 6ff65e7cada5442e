/**
 * Where the microseconds per step go, for bench/tracer/run.ts. All figures are CPU time per traced step: on a
 * shared machine wall time mostly measures the other processes.
 *
 * Python: ablation in the sandbox image (profile/ablate.py, see there): untraced, no-op sys.settrace, no-op
 * sys.monitoring on the tracer's events, the real tracer with frames dropped, the real tracer with frames piped.
 * JavaScript: the real tracer under `node --cpu-prof` in the sandbox image; samples after the job arrived are
 * attributed to learner code, runtime hooks, JSON encoding, the frame channel write, GC, instrumentation or other,
 * and the shares are applied to the CPU µs/step of the main table; plus an untraced run (profile/untraced.mjs).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobFor, mountedSandbox, PROFILE_DIR, runJob, startReady } from './harness.ts';
import type { Program } from './programs.ts';
import { median, num, table } from './table.ts';

type Log = (msg: string) => void;
interface Probe { s?: number; cpu?: number; steps?: number; error?: string; samples?: Record<string, number> }
/** The main table's figures for one program: CPU µs per step (job CPU minus an empty program's), ours and baseline. */
export interface HostFigures { oursCpuUs: number; baseCpuUs: number; steps: number }

const perStep = (seconds: number, steps: number) => (seconds * 1e6) / steps;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** Python ablation table. */
export async function pythonAblation(runnerId: string, programs: Program[], host: Map<string, HostFigures>, reps: number, log: Log): Promise<string> {
  const sandbox = mountedSandbox(runnerId, [`${PROFILE_DIR}:/opt/bench:ro`], {
    python: ['python3', '-u', '/opt/bench/ablate.py'],
    javascript: ['false'],
  });
  const variants = ['untraced', 'settrace', 'monitoring', 'null', 'pipe'];
  const rows: string[][] = [];
  const hot: string[] = [];
  for (const prog of programs) {
    const proc = await startReady(sandbox, 'python');
    const job = JSON.parse(jobFor(prog.code.python)) as Record<string, unknown>;
    const r = await runJob(proc, JSON.stringify({ ...job, variants: [...variants, 'sampled'], reps }) + '\n', { capMs: 180_000 });
    const ab = (r.end?.ablation ?? {}) as Record<string, Probe[]>;
    const errors = Object.values(ab).flat().filter((p) => p.error);
    if (errors.length) throw new Error(`ablation failed: ${errors[0].error}`);
    const steps = median(ab.null.map((p) => p.steps ?? NaN));
    const us = (v: string) => perStep(median(ab[v].map((p) => p.cpu ?? NaN)), steps);
    const [u, st, mo, nu, pi] = variants.map(us);
    const h = host.get(prog.key)!;
    log(`python ${prog.key} ablation (CPU µs/step): ${variants.map((v, i) => `${v} ${[u, st, mo, nu, pi][i].toFixed(2)}`).join(', ')}`);
    rows.push([prog.label, num(steps), f2(u), f2(mo - u), f2(nu - mo), f2(pi - nu), f2(pi), f2(h.oursCpuUs), f2(st - u), f2(h.baseCpuUs)]);
    // The sampled runs (frames dropped): shares of CPU samples by function, applied to the `null` variant's µs/step.
    const counts = new Map<string, number>();
    for (const p of ab.sampled) for (const [k, v] of Object.entries(p.samples ?? {})) counts.set(k, (counts.get(k) ?? 0) + v);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8);
    hot.push(`- ${prog.label} (${total} samples): ${top.map(([k, v]) => `${k.replace(/^tracer\.py:/, '')} ${f2((v / total) * nu)} (${((v / total) * 100).toFixed(0)}%)`).join(', ')}`);
  }
  return [
    table(
      ['program', 'steps', 'untraced', '+ sys.monitoring dispatch', '+ tracer logic', '+ frame channel', '= ours in-process', 'ours (main table)', 'settrace dispatch alone', 'baseline (main table)'],
      rows,
      1,
    ),
    '',
    'CPU µs per traced step (CPU time / the tracer\'s step count), medians. The "+" columns are differences between',
    'ablation variants run in the sandbox image: the program untraced; no-op sys.monitoring callbacks on the tracer\'s',
    'events; the real tracer.run() with its frames dropped; the same writing its frames to the stdout pipe the runner',
    'reads. "settrace dispatch alone": a no-op sys.settrace minus untraced, the floor under the baseline\'s snapshots.',
    '"main table": the CPU the container used for the job minus that for an empty program, per step.',
    '',
    'Inside the tracer (frames dropped), by a CPU-time sampling profiler in the child (SIGPROF; a sample is charged to',
    'the innermost Python function, C calls such as the JSON encoder to their caller; `<learner>` = the program itself):',
    'µs/step and share of samples, tracer.py functions unless a file is named.',
    ...hot,
  ].join('\n');
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
}

const CATS = ['learner code', 'runtime hooks', 'JSON encode', 'frame channel write', 'GC', 'instrument + compile', 'other'] as const;
type Cat = (typeof CATS)[number];

/** Samples per category and per runtime.mjs function, from the job's arrival on. */
function attribute(p: CpuProfile): { cats: Record<Cat, number>; fns: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const file = (id: number) => byId.get(id)!.callFrame.url.split('/').pop() ?? '';
  const stackFiles = (id: number): string[] => {
    const out: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(file(cur));
    return out;
  };
  // The job starts in tracer.mjs's run(): the first sample under it. Before it, the warm-up program (traced before
  // hello, also instrumented) and the wait for the job.
  const inRun = (id: number) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === 'run' && f.url.endsWith('tracer.mjs')) return true;
    }
    return false;
  };
  let start = -1;
  for (let i = 0; i < p.samples.length && start < 0; i++) if (inRun(p.samples[i])) start = i;
  if (start < 0) throw new Error('no sample under tracer.mjs run(): the profile has nothing of the job');
  const cats = Object.fromEntries(CATS.map((c) => [c, 0])) as Record<Cat, number>;
  const fns = new Map<string, number>();
  for (let i = start; i < p.samples.length; i++) {
    const id = p.samples[i];
    const n = byId.get(id)!;
    const name = n.callFrame.functionName;
    if (name === '(idle)') continue;
    const files = stackFiles(id);
    const firstUser = files.find((f) => /\.m?js$/.test(f)) ?? '';
    let cat: Cat;
    if (name === '(garbage collector)') cat = 'GC';
    else if (files.includes('channel.mjs')) cat = 'frame channel write';
    else if (name === 'stringify' && n.callFrame.url === '') cat = 'JSON encode';
    else if (firstUser === 'main.js') cat = 'learner code';
    else if (firstUser === 'runtime.mjs') cat = 'runtime hooks';
    else if (files.includes('instrument.mjs') || firstUser === 'acorn.mjs') cat = 'instrument + compile';
    else cat = 'other';
    // Samples are counted, not timed: in a container held to 1 CPU the process is throttled whenever V8's compiler and
    // GC threads have used the period's quota, and the sample taken before a throttled stretch would be charged with
    // it (one sample of 45 ms in the middle of diffListKey made that function 23% of a bubble sort's time).
    cats[cat]++;
    if (file(id) === 'runtime.mjs') fns.set(name, (fns.get(name) ?? 0) + 1);
  }
  return { cats, fns };
}

/** JavaScript: --cpu-prof of the real tracer per program, plus an untraced run. */
export async function jsCpuProfile(runnerId: string, programs: Program[], host: Map<string, HostFigures>, reps: number, log: Log): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tracecast-cpuprof-'));
  chmodSync(dir, 0o777); // the sandbox user (10001) writes the profile
  // Frames go to /dev/null, so a write blocked on a slow reader is not sampled as work; the shell says hello and end.
  const frame = (json: string) => `printf '${[0, 0, 0, json.length].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('')}%s' '${json}'`;
  const profiled = mountedSandbox(runnerId, [`${dir}:/opt/prof`], {
    javascript: [
      'sh',
      '-c',
      `exec 3<&0; ${frame('{"t":"hello"}')}; node --cpu-prof --cpu-prof-interval=100 --cpu-prof-dir=/opt/prof /opt/tracecast/tracer.mjs <&3 3<&- >/dev/null; ${frame('{"t":"end","status":"ok","steps":0}')}`,
    ],
    python: ['false'],
  });
  const untraced = mountedSandbox(runnerId, [`${PROFILE_DIR}:/opt/bench:ro`], { javascript: ['node', '/opt/bench/untraced.mjs'], python: ['false'] });
  const rows: string[][] = [];
  const hot: string[] = [];
  try {
    for (const prog of programs) {
      const u = await runJob(await startReady(untraced, 'javascript'), JSON.stringify({ code: prog.code.javascript, reps }) + '\n', { capMs: 60_000 });
      const uCpu = median(((u.end?.ablation as Record<string, Probe[]>).untraced ?? []).map((p) => p.cpu ?? NaN));
      for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
      const r = await runJob(await startReady(profiled, 'javascript'), jobFor(prog.code.javascript), { capMs: 60_000 });
      let files: string[] = [];
      for (let i = 0; i < 50 && files.length === 0; i++) {
        files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
        if (files.length === 0) await new Promise((res) => setTimeout(res, 100));
      }
      if (files.length === 0) throw new Error('no .cpuprofile written');
      const { cats, fns } = attribute(JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8')) as CpuProfile);
      void r;
      const steps = host.get(prog.key)!.steps;
      const total = CATS.reduce((s, c) => s + cats[c], 0);
      const cpuUs = host.get(prog.key)!.oursCpuUs;
      const share = (c: Cat) => cats[c] / total;
      log(`javascript ${prog.key} cpu-prof shares: ${CATS.map((c) => `${c} ${(share(c) * 100).toFixed(0)}%`).join(', ')}`);
      rows.push([prog.label, num(steps), f2(perStep(uCpu, steps)), ...CATS.map((c) => `${f2(share(c) * cpuUs)} (${(share(c) * 100).toFixed(0)}%)`), f2(cpuUs)]);
      const top = [...fns].sort((a, b) => b[1] - a[1]).slice(0, 6);
      hot.push(`- ${prog.label}: ${top.map(([n, t]) => `${n || '(anonymous)'} ${((t / total) * 100).toFixed(0)}%`).join(', ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    table(['program', 'steps', 'untraced', ...CATS, 'ours (main table)'], rows, 1),
    '',
    'CPU µs per traced step: the main table\'s CPU µs/step of tracer.mjs split by the shares of samples (one per 100 µs)',
    'of a `node --cpu-prof` run of the same job in the sandbox image, its frames written to /dev/null so that waiting on',
    'the pipe is not sampled (samples from the job\'s arrival on, idle excluded). A sample goes to "frame channel write"',
    'when channel.mjs is on its stack, to "JSON encode" for native JSON.stringify elsewhere, else to the nearest script',
    'on its stack: main.js = the instrumented learner code (hook calls V8 inlined there count here), runtime.mjs = the',
    'hooks. "untraced" = the program alone in a vm context. The profile samples the main thread only: V8\'s optimising',
    'compiler and GC helpers, on threads of their own, are in none of these shares but in the main table\'s CPU.',
    'Hottest runtime.mjs functions (share of samples):',
    ...hot,
  ].join('\n');
}
