/**
 * Accuracy of the complexity fitter (server/benchmark/fit.ts) on synthetic noisy series, beside a naive baseline
 * measured in the same run: ordinary least squares (absolute error, unconstrained slope, no margin) picking the
 * class with the best R².
 *
 *   node --import tsx bench/complexity/fitter-accuracy.ts [trials]
 *
 * Series: y = b·(ov·f(n_min) + f(n)), a constant overhead ov ∈ [1, 3] times the work at the smallest size (so it
 * dominates there), times multiplicative noise (uniform 1 ± p, or log-normal e^(σz)), and in half the trials one
 * size (uniformly chosen) doubled — a preempted median. O(1) series are a constant times the noise. Grids: five
 * sizes 100…5000, eight log-spaced sizes 16…16384, eight log-spaced sizes 100…5000; O(2^n) and O(b^n) (φⁿ; the
 * class is checked, not the fitted base) always on n = 10…24, O(n!) on n = 4…10.
 * Every cell uses its own seeded PRNG: the output is the same on every run.
 */
import { fitSeries, type ComplexityClass, type SeriesPoint } from '../../server/benchmark/fit.ts';
import { gaussian, mulberry32 } from '../../server/benchmark/stats.ts';

const CLASSES: ComplexityClass[] = ['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n^2)', 'O(n^3)', 'O(2^n)', 'O(n!)', 'O(b^n)'];
const F: Record<ComplexityClass, (n: number) => number> = {
  'O(1)': () => 1,
  'O(log n)': (n) => Math.log(n),
  'O(n)': (n) => n,
  'O(n log n)': (n) => n * Math.log(n),
  'O(n^2)': (n) => n * n,
  'O(n^3)': (n) => n * n * n,
  'O(2^n)': (n) => 2 ** n,
  'O(n!)': (n) => { let f = 1; for (let k = 2; k <= n; k++) f *= k; return f; },
  'O(b^n)': (n) => ((1 + Math.sqrt(5)) / 2) ** n,
};

const GRIDS: Array<[string, number[]]> = [
  ['5 sizes 100…5000', [100, 500, 1000, 2500, 5000]],
  ['8 log-spaced 16…16384', Array.from({ length: 8 }, (_, i) => Math.round(16 * 1024 ** (i / 7)))],
  ['8 log-spaced 100…5000', Array.from({ length: 8 }, (_, i) => Math.round(100 * 50 ** (i / 7)))],
];
const EXP_SIZES = Array.from({ length: 15 }, (_, i) => 10 + i);
/** n! can only be measured up to n ≈ 10. */
const FACT_SIZES = [4, 5, 6, 7, 8, 9, 10];
/** Exponential and factorial rows keep their own sizes on every grid; O(b^n) is φⁿ (naive Fibonacci). */
const sizesFor = (cls: ComplexityClass, grid: number[]) => (cls === 'O(n!)' ? FACT_SIZES : cls === 'O(2^n)' || cls === 'O(b^n)' ? EXP_SIZES : grid);

interface Noise { label: string; kind: 'uniform' | 'lognormal'; p: number }
const NOISES: Noise[] = [
  { label: '±5%', kind: 'uniform', p: 0.05 },
  { label: '±10%', kind: 'uniform', p: 0.1 },
  { label: '±20%', kind: 'uniform', p: 0.2 },
  { label: 'σ=0.2', kind: 'lognormal', p: 0.2 },
];

function synth(cls: ComplexityClass, ns: number[], noise: Noise, rand: () => number): SeriesPoint[] {
  const f = F[cls];
  const ov = 1 + 2 * rand();
  const b = 1e-7;
  const ys = ns.map((n) => (cls === 'O(1)' ? 2e-5 : b * (ov * f(ns[0]) + f(n))));
  for (let i = 0; i < ys.length; i++) {
    ys[i] *= noise.kind === 'uniform' ? 1 + noise.p * (2 * rand() - 1) : Math.exp(noise.p * gaussian(rand));
  }
  if (rand() < 0.5) ys[Math.floor(rand() * ys.length)] *= 2;
  return ns.map((n, i) => ({ n, y: ys[i] }));
}

/** The baseline: OLS on y = a + b·f(n), unconstrained, best R² (O(1): R² = 0). Overflowing f is skipped. */
function naiveFit(points: SeriesPoint[]): ComplexityClass {
  const N = points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / N;
  const sst = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
  let best: ComplexityClass = 'O(1)';
  let bestR2 = 0;
  for (const cls of CLASSES.slice(1)) {
    const xs = points.map((p) => F[cls](p.n));
    if (!xs.every(Number.isFinite)) continue;
    const mx = xs.reduce((s, x) => s + x, 0) / N;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < N; i++) {
      sxy += (xs[i] - mx) * (points[i].y - my);
      sxx += (xs[i] - mx) ** 2;
    }
    if (!(sxx > 0)) continue;
    const slope = sxy / sxx;
    const icpt = my - slope * mx;
    const sse = points.reduce((s, p, i) => s + (p.y - icpt - slope * xs[i]) ** 2, 0);
    const r2 = sst > 0 ? 1 - sse / sst : 0;
    if (r2 > bestR2) {
      bestR2 = r2;
      best = cls;
    }
  }
  return best;
}

function seedOf(...parts: Array<string | number>): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const trials = Number(process.argv[2] ?? 150);
const started = performance.now();
const pad = (s: string, w: number) => s.padEnd(w);
const cell = (x: number) => `${Math.round(100 * x)}%`.padStart(4);

console.log(`Complexity fitter accuracy: share of ${trials} seeded trials per cell classified exactly right.`);
console.log('fit = server/benchmark/fit.ts (bootstrap off), ols = naive OLS / best R². Overhead 1–3× the work at the smallest');
console.log('size, a 2× outlier at a random size in half the trials. O(2^n)/O(b^n) rows use n = 10…24, O(n!) n = 4…10, on every grid.\n');

for (const [gname, grid] of GRIDS) {
  console.log(`## ${gname}: ${grid.join(', ')}`);
  console.log(pad('class', 12) + NOISES.map((n) => pad(`${n.label} fit/ols`, 16)).join(''));
  const totals = NOISES.map(() => ({ fit: 0, ols: 0 }));
  for (const cls of CLASSES) {
    const ns = sizesFor(cls, grid);
    let row = pad(cls, 12);
    NOISES.forEach((noise, k) => {
      const rand = mulberry32(seedOf(gname, cls, noise.label));
      let fit = 0;
      let ols = 0;
      for (let t = 0; t < trials; t++) {
        const pts = synth(cls, ns, noise, rand);
        if (fitSeries(pts, { bootstrap: 0 }).best.cls === cls) fit++;
        if (naiveFit(pts) === cls) ols++;
      }
      totals[k].fit += fit;
      totals[k].ols += ols;
      row += pad(`${cell(fit / trials)} / ${cell(ols / trials)}`, 16);
    });
    console.log(row);
  }
  console.log(pad('all', 12) + totals.map((t) => pad(`${cell(t.fit / (trials * CLASSES.length))} / ${cell(t.ols / (trials * CLASSES.length))}`, 16)).join(''));
  console.log('');
}

// Margin sweep: overall accuracy (all classes, ±10% noise) per margin, on each grid.
const margins = [0.05, 0.1, 0.15, 0.2, 0.3];
console.log('## margin sweep (±10% noise, all classes; accuracy of O(n) / O(n log n) / all)');
console.log(pad('grid', 24) + margins.map((m) => pad(`m=${m}`, 18)).join(''));
for (const [gname, grid] of GRIDS) {
  let row = pad(gname, 24);
  for (const margin of margins) {
    let all = 0;
    const per: Partial<Record<ComplexityClass, number>> = {};
    const sweepTrials = Math.max(20, Math.round(trials / 3));
    for (const cls of CLASSES) {
      const rand = mulberry32(seedOf('sweep', gname, cls));
      let ok = 0;
      for (let t = 0; t < sweepTrials; t++) {
        if (fitSeries(synth(cls, sizesFor(cls, grid), NOISES[1], rand), { bootstrap: 0, margin }).best.cls === cls) ok++;
      }
      per[cls] = ok / sweepTrials;
      all += ok / sweepTrials / CLASSES.length;
    }
    row += pad(`${cell(per['O(n)']!)}/${cell(per['O(n log n)']!)}/${cell(all)}`, 18);
  }
  console.log(row);
}
console.log('');

// Calibration: is the bootstrap confidence informative? Mean confidence of right and of wrong answers (±10% noise).
console.log('## bootstrap confidence (200 resamples, ±10% noise): mean when right / when wrong (count wrong)');
for (const [gname, grid] of GRIDS) {
  let right = 0, nRight = 0, wrong = 0, nWrong = 0;
  for (const cls of CLASSES) {
    const rand = mulberry32(seedOf('calibration', gname, cls));
    for (let t = 0; t < 20; t++) {
      const r = fitSeries(synth(cls, sizesFor(cls, grid), NOISES[1], rand), { seed: t + 1 });
      if (r.best.cls === cls) { right += r.confidence; nRight++; } else { wrong += r.confidence; nWrong++; }
    }
  }
  console.log(`${pad(gname, 24)}right ${(right / Math.max(1, nRight)).toFixed(2)} / wrong ${nWrong ? (wrong / nWrong).toFixed(2) : '  - '} (${nWrong} of ${nRight + nWrong})`);
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
