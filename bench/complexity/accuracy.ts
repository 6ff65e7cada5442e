/**
 * End-to-end accuracy of `benchmark`: the corpus of bench/complexity/functions.ts (functions of known complexity)
 * benchmarked through one in-process tracecast server, a real WebSocket and real sandboxes, each function three
 * times; how often the class tracecast stands by (`bench.fit` verdict) is the known one, per language, beside the
 * 95% target. fitter-accuracy.ts measures the fitter alone on synthetic series; this measures everything a learner
 * gets: the tracers' timings and operation counts, the budget, the verdict between the two series.
 *
 *   node --import tsx bench/complexity/accuracy.ts [--quick] [--verbose] [--lang python|javascript] [--only NAME]...
 *
 * --quick: one repetition instead of three. --only: that function only (repeatable). --verbose: the fits and points
 * of every run, not only of the wrong ones. Needs Docker and the sandbox
 * images of the current tracer files (`node --import tsx sandbox-images/build.ts all`). Benchmarks run one at a
 * time, so that no run's timings compete with another's for the CPUs. Results and analysis: README.md.
 */
import os from 'node:os';
import type { ServerFrame } from '../../protocol/index.ts';
import { fitSeries } from '../../server/benchmark/fit.ts';
import { startTestServer } from '../../tests/support/server.ts';
import { TestClient } from '../../tests/support/ws-client.ts';
import { CASES, type Case, type CaseLanguage } from './functions.ts';

type Frame<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

const TARGET = 0.95;
/** The brief every case's sizes were chosen for: a whole benchmark within this, container included. */
const WALL_LIMIT_MS = 10_000;
/** Far above a benchmark's own server-side limit (budget + 5 s), so a stuck run shows as the server's verdict. */
const CLIENT_TIMEOUT_MS = 60_000;

function parseArgs(argv: string[]) {
  let reps = 3;
  let verbose = false;
  let lang: CaseLanguage | null = null;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') reps = 1;
    else if (a === '--verbose') verbose = true;
    else if (a === '--lang' && (argv[i + 1] === 'python' || argv[i + 1] === 'javascript')) lang = argv[++i] as CaseLanguage;
    else if (a === '--only' && argv[i + 1]) only.push(argv[++i]);
    else {
      console.error('usage: accuracy.ts [--quick] [--verbose] [--lang python|javascript] [--only NAME]...');
      process.exit(2);
    }
  }
  const cases = CASES.filter((c) => (!lang || c.lang === lang) && (!only.length || only.includes(c.name)));
  const unknown = only.filter((name) => !cases.some((c) => c.name === name));
  if (unknown.length) {
    console.error(`no such function${lang ? ` in ${lang}` : ''}: ${unknown.join(', ')}; known: ${CASES.filter((c) => !lang || c.lang === lang).map((c) => c.name).join(', ')}`);
    process.exit(2);
  }
  return { reps, verbose, cases };
}

interface Outcome {
  wallMs: number;
  ended: Frame<'run.ended'>;
  points: Frame<'bench.point'>[];
  stopped: Frame<'bench.stopped'> | undefined;
  fit: Frame<'bench.fit'> | undefined;
}

async function benchmark(client: TestClient, c: Case): Promise<Outcome> {
  const t0 = performance.now();
  const { ended, frames } = await client.execute(
    c.lang,
    c.code,
    { type: 'benchmark', entry: c.name, generator: c.generator, sizes: c.sizes, ...(c.repeats ? { repeats: c.repeats } : {}) },
    CLIENT_TIMEOUT_MS,
  );
  return {
    wallMs: performance.now() - t0,
    ended,
    points: frames.filter((f): f is Frame<'bench.point'> => f.type === 'bench.point'),
    stopped: frames.find((f): f is Frame<'bench.stopped'> => f.type === 'bench.stopped'),
    fit: frames.find((f): f is Frame<'bench.fit'> => f.type === 'bench.fit'),
  };
}

const verdictOf = (o: Outcome) => o.fit?.verdict?.label ?? `(${o.ended.verdict})`;
const expectedLabel = (c: Case) => (c.expected === 'O(b^n)' ? `O(${(c.base ?? 2).toFixed(2)}^n)` : c.expected);
/** "No class fits" is never right: the known class was not named. An exponential's base must be within 15%. */
function correct(c: Case, o: Outcome): boolean {
  const v = o.fit?.verdict;
  if (!v || !v.fits || v.cls !== c.expected) return false;
  return c.expected !== 'O(b^n)' || Math.abs(Math.log((v.base ?? 2) / (c.base ?? 2))) < Math.log(1.15);
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function seriesText(name: string, s: Frame<'bench.fit'>['ops']): string {
  if (!s) return `${name}: not fitted`;
  const lbl = (f: { cls: string; base?: number }) => (f.cls === 'O(b^n)' ? `O(${(f.base ?? 2).toFixed(2)}^n)` : f.cls);
  const ru = s.runnerUp ? `, runner-up ${lbl(s.runnerUp)} (rms ${s.runnerUp.rmsRelErr.toFixed(3)})` : '';
  return `${name}: ${lbl(s.best)} (rms ${s.best.rmsRelErr.toFixed(3)}, confidence ${s.confidence.toFixed(2)}${ru})${s.note ? ` [${s.note}]` : ''}`;
}

/** Everything needed to tell why a run went wrong: both fits, the reason, and the measured points. */
function explain(c: Case, rep: number, o: Outcome): string {
  const lines = [`- ${c.lang} ${c.name}, run ${rep + 1}: expected ${expectedLabel(c)}, got ${verdictOf(o)}`];
  if (o.ended.verdict !== 'ok') lines.push(`  run ended ${o.ended.verdict}${o.ended.error ? `: ${o.ended.error.type}: ${o.ended.error.message}` : ''}`);
  const v = o.fit?.verdict;
  if (v) lines.push(`  verdict from ${v.series}, confidence ${v.confidence.toFixed(2)}: ${v.reason}`);
  if (o.fit) lines.push(`  ${seriesText('ops', o.fit.ops)}`, `  ${seriesText('time', o.fit.time)}`);
  // The server fits the fastest repeat per size; where the medians read another class, the repeats of a size
  // disagreed: machine load rather than the function or the fitter.
  if (o.points.length >= 3) lines.push(`  ${seriesText('time (per-size median, fitted here)', fitSeries(o.points.map((p) => ({ n: p.n, y: p.time.median }))))}`);
  if (o.stopped) lines.push(`  stopped by the budget before n = ${o.stopped.n}`);
  const share = o.points.length ? o.points.reduce((a, p) => a + p.builtinShare, 0) / o.points.length : 0;
  const ms = (s: number) => (s * 1000).toPrecision(3);
  lines.push(`  builtinShare ${share.toFixed(2)}; n: fastest / median ms / ops / builtinShare: ${o.points.map((p) => `${p.n}: ${ms(p.time.min)} / ${ms(p.time.median)} / ${p.ops} / ${p.builtinShare.toFixed(2)}`).join(', ')}`);
  return lines.join('\n');
}

const { reps, verbose, cases } = parseArgs(process.argv.slice(2));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

console.log(`# benchmark accuracy, ${new Date().toISOString()}`);
console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at start ${load()}; ${reps} repetition(s) of ${cases.length} functions\n`);

const server = await startTestServer();
const client = await TestClient.connect(server.url);
const results: Array<{ c: Case; runs: Outcome[] }> = [];
try {
  for (const c of cases) {
    const runs: Outcome[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const o = await benchmark(client, c);
      runs.push(o);
      log(`${c.lang} ${c.name} ${rep + 1}/${reps}: ${verdictOf(o)} (${(o.fit?.verdict?.confidence ?? 0).toFixed(2)}) ${correct(c, o) ? '✓' : `✗ (expected ${expectedLabel(c)})`} in ${(o.wallMs / 1000).toFixed(1)} s`);
    }
    results.push({ c, runs });
  }
} finally {
  client.close();
  await server.close();
}

const runHead = Array.from({ length: reps }, (_, i) => `run ${i + 1}`);
console.log(
  table(
    ['language', 'function', 'expected', ...runHead, '✓/✗', 'wall s'],
    results.map(({ c, runs }) => [
      c.lang,
      `${c.name}${c.postFreeze ? ' *' : ''}`,
      expectedLabel(c),
      ...runs.map(verdictOf),
      runs.map((o) => (correct(c, o) ? '✓' : '✗')).join(''),
      runs.map((o) => `${(o.wallMs / 1000).toFixed(1)}${o.wallMs > WALL_LIMIT_MS ? '!' : ''}`).join(' '),
    ]),
  ),
);

console.log('');
for (const lang of ['python', 'javascript'] as const) {
  const mine = results.filter((r) => r.c.lang === lang);
  if (!mine.length) continue;
  const total = mine.length * reps;
  const ok = mine.reduce((a, r) => a + r.runs.filter((o) => correct(r.c, o)).length, 0);
  const stable = mine.filter((r) => r.runs.every((o) => correct(r.c, o))).length;
  console.log(
    `${lang}: ${ok}/${total} runs correct = ${((100 * ok) / total).toFixed(1)}% (target ${TARGET * 100}%: ${ok / total >= TARGET ? 'met' : 'NOT met'}); ` +
      `${stable}/${mine.length} functions right in every run`,
  );
}
console.log('(* written after the fitter was frozen, run as they came)');
for (const lang of ['python', 'javascript'] as const) {
  const post = results.filter((r) => r.c.lang === lang && r.c.postFreeze);
  if (!post.length) continue;
  const ok = post.reduce((a, r) => a + r.runs.filter((o) => correct(r.c, o)).length, 0);
  const n = post.reduce((a, r) => a + r.runs.length, 0);
  console.log(`${lang}, written after the freeze only: ${ok}/${n} = ${((100 * ok) / n).toFixed(1)}%`);
}

// Calibration: is a verdict's confidence the share of such verdicts that are right?
const all = results.flatMap(({ c, runs }) => runs.map((o) => ({ conf: o.fit?.verdict?.confidence ?? 0, ok: correct(c, o) })));
const BUCKETS: Array<[number, number]> = [[0, 0.5], [0.5, 0.8], [0.8, 0.9], [0.9, 0.95], [0.95, 1.01]];
console.log('\n## calibration (all languages)\n');
console.log(
  table(
    ['confidence', 'verdicts', 'right', 'share right', 'verdicts ≥ lower bound', 'share right among them'],
    BUCKETS.map(([lo, hi]) => {
      const inB = all.filter((x) => x.conf >= lo && x.conf < hi);
      const above = all.filter((x) => x.conf >= lo);
      const share = (xs: typeof all) => (xs.length ? `${((100 * xs.filter((x) => x.ok).length) / xs.length).toFixed(1)}%` : '–');
      return [`[${lo.toFixed(2)}, ${Math.min(1, hi).toFixed(2)}${hi > 1 ? ']' : ')'}`, String(inB.length), String(inB.filter((x) => x.ok).length), share(inB), String(above.length), share(above)];
    }),
  ),
);
const sure = all.filter((x) => x.conf >= 0.95 && !x.ok).length;
console.log(`wrong verdicts with confidence ≥ 0.95: ${sure}`);

// How long a learner waits: container, generation, timed calls and the counting pass, per benchmark.
for (const lang of ['python', 'javascript'] as const) {
  const walls = results.filter((r) => r.c.lang === lang).flatMap((r) => r.runs.map((o) => o.wallMs / 1000)).sort((a, b) => a - b);
  if (walls.length) console.log(`${lang} benchmark wall time: median ${walls[Math.floor(walls.length / 2)].toFixed(1)} s, max ${walls[walls.length - 1].toFixed(1)} s (limit ${WALL_LIMIT_MS / 1000} s)`);
}
const slow = results.flatMap(({ c, runs }) => runs.filter((o) => o.wallMs > WALL_LIMIT_MS).map((o) => `${c.lang} ${c.name} ${(o.wallMs / 1000).toFixed(1)} s`));
if (slow.length) console.log(`over ${WALL_LIMIT_MS / 1000} s (marked !): ${slow.join(', ')}`);
// The budget estimate extrapolates the growth between the last two fastest repeats, so those two show why a run stopped.
const lastTwo = (o: Outcome) => o.points.slice(-2).map((p) => `${p.n}: ${(p.time.min * 1000).toPrecision(3)} ms`).join(', ');
const stopped = results.flatMap(({ c, runs }) =>
  runs.filter((o) => o.stopped).map((o) => `  ${c.lang} ${c.name} before n = ${o.stopped!.n} after ${(o.wallMs / 1000).toFixed(1)} s (last fastest repeats ${lastTwo(o)})`),
);
if (stopped.length) console.log(`cut short by the budget:\n${stopped.join('\n')}`);

const wrong = results.flatMap(({ c, runs }) => runs.flatMap((o, rep) => (correct(c, o) ? [] : [explain(c, rep, o)])));
console.log(`\n## misclassifications (${wrong.length})\n`);
console.log(wrong.length ? wrong.join('\n') : 'none');
if (verbose) {
  console.log('\n## every run\n');
  console.log(results.flatMap(({ c, runs }) => runs.map((o, rep) => explain(c, rep, o))).join('\n'));
}
console.log(`\nload average at end ${load()}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
