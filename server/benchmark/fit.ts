/**
 * Complexity-class fitting for benchmark series: pure functions, no I/O.
 *
 * A series is (n, y) points: per input size n, either the fastest repeat's wall time of the learner's function or its
 * deterministic operation count (executed lines; noise-free, blind to work inside C built-ins). `fitSeries` names
 * the complexity class of one series, with a bootstrap confidence and a runner-up; `chooseVerdict` decides which of
 * the two series of a benchmark to stand by.
 *
 * Method (see fitSeries for the details and the reasons):
 *  - every class f ∈ {1, log n, n, n log n, n², n³, 2ⁿ, n!, bⁿ} is fit as y ≈ a + c·f(n) by relative-error least
 *    squares (weights 1/y²) with a ≥ 0, c ≥ 0, solved exactly (unconstrained optimum, else the best of the two
 *    boundaries); for bⁿ the base b ∈ [1.1, 12] is fitted too (1-D search), so φⁿ or 3ⁿ is named as such;
 *  - f is evaluated in log space and normalised by f(n_max), so nothing overflows and the 2×2 system is well scaled;
 *  - one point may be left out, when it lies far ABOVE every plausible fit of the other points (preemption only
 *    ever makes a run slower);
 *  - growth versus O(1) is an F-test or a Kendall trend test (the growth classes have one more parameter); among the
 *    growth classes the simplest one whose error is within a relative margin of the smallest wins;
 *  - a series that does not increase with n (Kendall's tau ≤ 0) is O(1), whatever the fits say.
 */
import { kendallTau, mulberry32, studentQuantileUpper } from './stats.ts';

/**
 * 'O(b^n)': exponential with a fitted base b (ClassFit.base), for growth like naive Fibonacci's φⁿ that 2ⁿ does not
 * describe; 'O(2^n)' stays a class of its own, preferred whenever the fitted base is no better than 2.
 */
export type ComplexityClass = 'O(1)' | 'O(log n)' | 'O(n)' | 'O(n log n)' | 'O(n^2)' | 'O(n^3)' | 'O(2^n)' | 'O(n!)' | 'O(b^n)';
/** One size of a series. y: seconds or an operation count (positive). */
export interface SeriesPoint { n: number; y: number }
/** y ≈ a + b·f(n). rmsRelErr: root mean square of (y − fit)/y over the points the fit kept. */
export interface ClassFit { cls: ComplexityClass; a: number; b: number; rmsRelErr: number; base?: number }
export interface SeriesFit {
  best: ClassFit;
  runnerUp: ClassFit | null;
  /** Share of bootstrap resamples of the points that pick the same class as `best` (0 when not computed). */
  confidence: number;
  /** Every class that was fit, simplest first. */
  fits: ClassFit[];
  /** 1 − SS_res/SS_tot of `best` over the points it kept, in y itself (not relative): how much of the spread it explains. */
  rSquared: number;
  /** The empirical growth exponent k of y ∝ n^k: the least-squares slope of ln y against ln n over every point. */
  growth: number;
  note?: string;
}

/** Default relative margin: a more complex growth class must have an rmsRelErr below (1 − margin) × a simpler one's. */
export const DEFAULT_MARGIN = 0.1;
/** Significance level of the F-test "some growth class explains the series better than a constant". */
const GROWTH_ALPHA = 0.01;
/** Upper GROWTH_ALPHA = 0.01 point of the standard normal, for the Kendall trend test. */
const TAU_Z = 2.326;
/** A point is an outlier when it lies more than this factor above the plausible fits of the other points… */
const OUTLIER_FACTOR = 1.4;
/** …and more than this many times the best of those fits' rmsRelErr above them (in log ratio)… */
const OUTLIER_VS_SCATTER = 3;
/** …the plausible fits being O(1) and the significant growth fits, with an rmsRelErr within this factor of the best. */
const OUTLIER_PLAUSIBLE = 1.5;
/** Outliers are only looked for with at least this many distinct sizes (the rest keeps ≥ 4 for a 2-parameter fit). */
const OUTLIER_MIN_SIZES = 5;
/**
 * With 4 points the rank test cannot reach the 1% level (a perfect order has p = 1/24) and the F-test has 2
 * degrees of freedom, so a series rising 28× in order would read O(1). There, a perfect order that also rises at
 * least this factor counts as growth.
 */
const FEW_POINTS_RISE = 2;
/** O(2ⁿ) is only fit when n_max ≤ 1023 (2ⁿ finite, b representable) and ≥ 3 sizes lie within this many doublings of n_max. */
const EXP_SPAN = 30;
/** rmsRelErr at or below this counts as an exact fit. */
const EXACT = 1e-9;

interface ClassDef {
  cls: ComplexityClass;
  /** O(b^n) only: the base this definition was fitted with. */
  base?: number;
  /** ln f(n), for n ≥ 1 (−Infinity where f(n) = 0, e.g. log 1). */
  logF: (n: number) => number;
  params: 1 | 2;
}

const CLASSES: readonly ClassDef[] = [
  { cls: 'O(1)', logF: () => 0, params: 1 },
  { cls: 'O(log n)', logF: (n) => Math.log(Math.log(n)), params: 2 },
  { cls: 'O(n)', logF: (n) => Math.log(n), params: 2 },
  { cls: 'O(n log n)', logF: (n) => Math.log(n) + Math.log(Math.log(n)), params: 2 },
  { cls: 'O(n^2)', logF: (n) => 2 * Math.log(n), params: 2 },
  { cls: 'O(n^3)', logF: (n) => 3 * Math.log(n), params: 2 },
  { cls: 'O(2^n)', logF: (n) => n * Math.LN2, params: 2 },
  { cls: 'O(n!)', logF: (n) => logFactorial(n), params: 2 },
  // A placeholder: fitAll searches its base (see fitExponential). Last, so that with a base close to 2 the simpler
  // O(2^n) wins the margin rule.
  { cls: 'O(b^n)', logF: (n) => n * Math.LN2, params: 2 },
];

/** ln n!: exact sum for the integer sizes a factorial-time function can be measured at, Stirling's series beyond. */
function logFactorial(n: number): number {
  if (Number.isInteger(n) && n <= 200) {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/** The range of bases O(b^n) is fitted over: below 1.1 it is indistinguishable from a polynomial at measurable n. */
const BASE_MIN = 1.1;
const BASE_MAX = 12;

function expDef(base: number): ClassDef {
  const lb = Math.log(base);
  return { cls: 'O(b^n)', base, logF: (n) => n * lb, params: 2 };
}

/**
 * How fast a class grows, for comparing two verdicts: polynomial classes by rank, exponentials by their base (so
 * 1.62ⁿ ranks below 2ⁿ), factorial above every exponential.
 */
export function growthOrder(cls: ComplexityClass, base?: number): number {
  if (cls === 'O(2^n)') return 10 + Math.LN2;
  if (cls === 'O(b^n)') return 10 + Math.log(base ?? 2);
  if (cls === 'O(n!)') return 100;
  return RANK[cls];
}

/** The class as a learner reads it: 'O(1.62^n)' for an exponential with a fitted base. */
export function classLabel(cls: ComplexityClass, base?: number): string {
  return cls === 'O(b^n)' ? `O(${(base ?? 2).toFixed(2)}^n)` : cls;
}

const RANK: Record<ComplexityClass, number> = Object.fromEntries(CLASSES.map((c, i) => [c.cls, i])) as Record<ComplexityClass, number>;

/** A fit's curve at n, y = a + b·f(n), with f in log space so that 2ⁿ does not overflow (the viewer plots it). */
export function fitValue(fit: ClassFit, n: number): number {
  const def = fit.cls === 'O(b^n)' ? expDef(fit.base ?? 2) : CLASSES[RANK[fit.cls]];
  return def.params === 1 ? fit.a : fit.a + (fit.b > 0 ? Math.exp(Math.log(fit.b) + def.logF(n)) : 0);
}

/** A class fit in normalised form: y ≈ a + bn·f(n)/f(n_max). */
interface Fitted { def: ClassDef; a: number; bn: number; logFmax: number; rms: number; kept: number; dropped: number }

function predict(f: Fitted, n: number): number {
  return f.def.params === 1 ? f.a : f.a + f.bn * Math.exp(f.def.logF(n) - f.logFmax);
}

/** Relative-error least squares of y ≈ a + b·f(n) with a, b ≥ 0, leaving out index `skip` (−1: none). */
function fitClass(def: ClassDef, ns: readonly number[], ys: readonly number[], skip: number): Fitted | null {
  const N = ns.length;
  let nmax = 0;
  for (let i = 0; i < N; i++) if (i !== skip) nmax = Math.max(nmax, ns[i]);
  const logFmax = def.logF(nmax);
  if (def.params === 2 && !Number.isFinite(logFmax)) return null;
  let S0 = 0, S1 = 0, S2 = 0, Sy = 0, Sgy = 0;
  const g = new Array<number>(N);
  for (let i = 0; i < N; i++) {
    g[i] = def.params === 1 ? 0 : Math.exp(def.logF(ns[i]) - logFmax);
    if (i === skip) continue;
    const w = 1 / (ys[i] * ys[i]);
    S0 += w; S1 += w * g[i]; S2 += w * g[i] * g[i]; Sy += w * ys[i]; Sgy += w * g[i] * ys[i];
  }
  // The objective is convex: the unconstrained optimum if feasible, else the best of the optima on b = 0 and a = 0
  // (each automatically non-negative in the other coordinate, since y > 0 and f ≥ 0).
  const cand: Array<[number, number]> = [[Sy / S0, 0]];
  if (def.params === 2) {
    const det = S0 * S2 - S1 * S1;
    if (det > 1e-12 * S0 * S2) {
      const ua = (Sy * S2 - S1 * Sgy) / det;
      const ub = (S0 * Sgy - S1 * Sy) / det;
      if (ua >= 0 && ub >= 0) cand.unshift([ua, ub]);
    }
    if (S2 > 0) cand.push([0, Sgy / S2]);
  }
  const kept = skip >= 0 ? N - 1 : N;
  let best: Fitted | null = null;
  let bestRss = Infinity;
  for (const [a, bn] of cand) {
    let rss = 0;
    for (let i = 0; i < N; i++) {
      if (i === skip) continue;
      const r = (ys[i] - a - bn * g[i]) / ys[i];
      rss += r * r;
    }
    if (rss < bestRss - 1e-15) {
      bestRss = rss;
      best = { def, a, bn, logFmax, rms: Math.sqrt(rss / kept), kept, dropped: skip };
    }
  }
  return best;
}

/** Whether O(2ⁿ) is a credible, computable description of sizes ns (see EXP_SPAN). */
function exponentialFits(ns: readonly number[]): boolean {
  let nmax = 0;
  for (const n of ns) nmax = Math.max(nmax, n);
  if (nmax > 1023) return false;
  const near = new Set<number>();
  for (const n of ns) if (n >= nmax - EXP_SPAN) near.add(n);
  return near.size >= 3;
}

/**
 * O(b^n): the base minimising rmsRelErr, by a coarse scan of ln b over [BASE_MIN, BASE_MAX] then golden-section
 * refinement around the best grid point (the error is smooth in ln b; the scan guards against a second dip).
 */
function fitExponential(ns: readonly number[], ys: readonly number[], skip: number): Fitted | null {
  const lo = Math.log(BASE_MIN);
  const hi = Math.log(BASE_MAX);
  const STEPS = 24;
  const at = (lb: number) => fitClass(expDef(Math.exp(lb)), ns, ys, skip);
  let best: Fitted | null = null;
  let bestK = 0;
  for (let k = 0; k <= STEPS; k++) {
    const f = at(lo + ((hi - lo) * k) / STEPS);
    if (f && (!best || f.rms < best.rms)) { best = f; bestK = k; }
  }
  if (!best) return null;
  let a = lo + ((hi - lo) * Math.max(0, bestK - 1)) / STEPS;
  let b = lo + ((hi - lo) * Math.min(STEPS, bestK + 1)) / STEPS;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 20; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    const fc = at(c);
    const fd = at(d);
    if (!fc || !fd) break;
    if (fc.rms < fd.rms) b = d; else a = c;
    const f = fc.rms < fd.rms ? fc : fd;
    if (f.rms < best.rms) best = f;
  }
  return best;
}

/** The fit of each class (simplest first), leaving out index `skip` (−1: none). */
function fitAll(ns: readonly number[], ys: readonly number[], skip = -1): Fitted[] {
  const out: Fitted[] = [];
  const expOk = exponentialFits(ns);
  for (const def of CLASSES) {
    const superPoly = def.cls === 'O(2^n)' || def.cls === 'O(n!)' || def.cls === 'O(b^n)';
    if (superPoly && !expOk) continue;
    const f = def.cls === 'O(b^n)' ? fitExponential(ns, ys, skip) : fitClass(def, ns, ys, skip);
    // A base within 10% of 2 that fits no better than half 2ⁿ's error is 2ⁿ plus noise: the free base would fit
    // the noise 10% better now and then, and 2ⁿ (subsets, Hanoi) is the class a learner expects to read there.
    // Tribonacci's exact 1.84ⁿ beats 2ⁿ's 16% error by far and stays.
    if (f && f.def.cls === 'O(b^n)' && Math.abs(Math.log((f.def.base ?? 2) / 2)) < Math.log(1.1)) {
      const two = out.find((g) => g.def.cls === 'O(2^n)');
      if (two && f.rms >= 0.5 * two.rms) continue;
    }
    if (f) out.push(f);
  }
  return out;
}

/**
 * Single-outlier rejection: the index of the point that lies more than OUTLIER_FACTOR, and more than
 * OUTLIER_VS_SCATTER times the rest's scatter, ABOVE every plausible fit of the other points (the one whose rest is
 * fit best, if several), or −1. Plausible: within OUTLIER_PLAUSIBLE of the best rmsRelErr, and O(1) or a growth
 * class that beats O(1) significantly. Requiring every plausible explanation to agree keeps a class that merely
 * extrapolates badly (a steep class fit to noise, or a = 0 fit far from the smallest size) from trimming points.
 */
function findOutlier(ns: readonly number[], ys: readonly number[]): number {
  if (new Set(ns).size < OUTLIER_MIN_SIZES) return -1;
  let found = -1;
  let foundRms = Infinity;
  for (let i = 0; i < ns.length; i++) {
    const rest = fitAll(ns, ys, i);
    let best = rest[0];
    for (const f of rest) if (f.rms < best.rms) best = f;
    if (best.rms >= foundRms) continue;
    const constant = rest[0];
    let plausible = rest.filter((f) => f.rms <= best.rms * OUTLIER_PLAUSIBLE + EXACT && (f === constant || significant(f, constant)));
    if (!plausible.length) plausible = [best];
    const isOutlier = plausible.every((f) => {
      const above = Math.log(ys[i] / predict(f, ns[i]));
      return above > Math.log(OUTLIER_FACTOR) && above > OUTLIER_VS_SCATTER * best.rms;
    });
    if (isOutlier) {
      found = i;
      foundRms = best.rms;
    }
  }
  return found;
}

const fCriticalCache = new Map<number, number>();
/** Upper GROWTH_ALPHA critical value of F(1, ν) = t(ν)² (one-sided t: the slope is constrained to b ≥ 0). */
function fCritical(nu: number): number {
  let v = fCriticalCache.get(nu);
  if (v === undefined) {
    v = studentQuantileUpper(GROWTH_ALPHA, nu) ** 2;
    fCriticalCache.set(nu, v);
  }
  return v;
}

/** Whether growth fit f explains the points significantly better than the constant fit c (F-test at GROWTH_ALPHA). */
function significant(f: Fitted, c: Fitted): boolean {
  if (c.rms <= EXACT) return false;
  if (f.rms <= EXACT) return true;
  // O(b^n) has fitted its base too: one degree of freedom fewer.
  const nu = f.kept - (f.def.cls === 'O(b^n)' ? 3 : 2);
  if (nu < 1) return false;
  return ((c.rms ** 2 - f.rms ** 2) * nu) / f.rms ** 2 > fCritical(nu);
}

/** Pick a class among fits (simplest first). */
function choose(fitted: readonly Fitted[], margin: number, monotone = false): Fitted {
  const growth = fitted.filter((f) => f.def.params === 2);
  const constant = fitted.find((f) => f.def.params === 1);
  if (!growth.length) return constant ?? fitted[0];
  let min = growth[0];
  for (const f of growth) if (f.rms < min.rms) min = f;
  // The simplest growth class within the margin of the best one.
  const bar = min.rms / (1 - margin) + EXACT;
  const cand = growth.find((f) => f.rms <= bar) ?? min;
  if (!constant) return cand;
  if (constant.rms <= EXACT) return constant;
  // Growth at all: a significant trend in the ranks, or the best growth fit significantly better than a constant.
  return monotone || significant(min, constant) ? cand : constant;
}

/** The next explanation: among the other classes, the simplest whose rmsRelErr is within the margin of the smallest. */
function pickRunnerUp(fitted: readonly Fitted[], best: Fitted, margin: number): Fitted | null {
  const rest = fitted.filter((f) => f !== best);
  if (!rest.length) return null;
  let min = rest[0];
  for (const f of rest) if (f.rms < min.rms) min = f;
  return rest.find((f) => f.rms <= min.rms / (1 - margin) + EXACT) ?? min;
}

/** Kendall's tau above which a trend is significant at GROWTH_ALPHA (one-sided, normal approximation, no ties). */
function tauCritical(N: number): number {
  if (N < 3) return Infinity;
  return TAU_Z * Math.sqrt((2 * (2 * N + 5)) / (9 * N * (N - 1)));
}

interface Analysis { fitted: Fitted[]; best: Fitted; decreasing: boolean }

function analyse(ns: readonly number[], ys: readonly number[], margin: number): Analysis {
  const decreasing = kendallTau(ns, ys) <= 0;
  const out = findOutlier(ns, ys);
  const fitted = fitAll(ns, ys, out);
  if (decreasing || new Set(ns).size < 3) return { fitted, best: fitted[0], decreasing };
  const kn = out < 0 ? ns : ns.filter((_, i) => i !== out);
  const ky = out < 0 ? ys : ys.filter((_, i) => i !== out);
  const tau = kendallTau(kn, ky);
  const monotone = tau > tauCritical(kn.length) || (kn.length === 4 && tau === 1 && ky[3] >= FEW_POINTS_RISE * ky[0]);
  return { fitted, best: choose(fitted, margin, monotone), decreasing };
}

/** R² of fit `f` over the points it kept; 1 for a flat series it matches exactly, 0 for one it cannot explain at all. */
function rSquared(f: Fitted, ns: readonly number[], ys: readonly number[]): number {
  const kept = ys.filter((_, i) => i !== f.dropped);
  const mean = kept.reduce((a, y) => a + y, 0) / kept.length;
  let ssRes = 0;
  let ssTot = 0;
  ys.forEach((y, i) => {
    if (i === f.dropped) return;
    ssRes += (y - predict(f, ns[i])) ** 2;
    ssTot += (y - mean) ** 2;
  });
  if (ssTot === 0) return ssRes <= EXACT * mean * mean ? 1 : 0;
  return Math.max(0, 1 - ssRes / ssTot);
}

/** The slope of ln y against ln n (0 with fewer than two distinct sizes). */
function growthExponent(ns: readonly number[], ys: readonly number[]): number {
  const xs = ns.map(Math.log);
  const ls = ys.map(Math.log);
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = ls.reduce((a, y) => a + y, 0) / ls.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ls[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxx > 0 ? sxy / sxx : 0;
}

function toClassFit(f: Fitted): ClassFit {
  const fit: ClassFit = { cls: f.def.cls, a: f.a, b: f.def.params === 1 ? 0 : f.bn * Math.exp(-f.logFmax), rmsRelErr: f.rms };
  if (f.def.base !== undefined) fit.base = f.def.base;
  return fit;
}

/** A bootstrap resample agrees with an exponential when its base is within 15% (the label's precision is not the point). */
function sameClass(p: Fitted, q: Fitted): boolean {
  if (p.def.cls !== q.def.cls) return false;
  if (p.def.cls !== 'O(b^n)') return true;
  return Math.abs(Math.log((p.def.base ?? 2) / (q.def.base ?? 2))) < Math.log(1.15);
}

/**
 * Name the complexity class of one series.
 *
 * - Fit: per class, y ≈ a + b·f(n) minimising Σ((y − a − b·f(n))/y)² with a ≥ 0, b ≥ 0 (O(1): b = 0). The a term
 *   absorbs constant overhead, so an O(n) series dominated by call overhead at small n still reads O(n).
 * - 2ⁿ: f is evaluated in log space and divided by f(n_max), so it never overflows; but O(2ⁿ) is only fit when
 *   n_max ≤ 1023 and at least 3 distinct sizes lie within 30 of n_max. Beyond that a true exponential would span
 *   more than 2³⁰ between measurable sizes (no run can produce that), and the "fit" would be a spike at the largest
 *   size that explains any single slow last point.
 * - Outliers: the series is already the fastest of the repeats, but a size whose every repeat was preempted
 *   still comes out too slow. One point is left out (for every class alike) when it lies > 1.4× (and > 3× the
 *   rest's rms scatter) above every plausible fit of the other points; only points above, since interference only
 *   ever adds time. Needs ≥ 5 distinct sizes. A second outlier is not handled.
 * - Choice: growth versus O(1) is an F-test at the 1% level (growth classes have one more parameter; a fixed
 *   margin there lets some growth class fit the noise of a flat series far too often), or a Kendall rank-trend
 *   test at the 1% level (catches steady growth with a dip the fits cannot follow; with only 4 points, which
 *   that test cannot pass, a perfect order rising at least 2×); among the growth classes
 *   the simplest whose rmsRelErr is ≤ min / (1 − margin) wins (default margin 0.1). A series that does not
 *   increase with n (Kendall's tau ≤ 0) is O(1). Fewer than 3 distinct sizes: O(1) with confidence 0.
 * - Confidence: the share of `bootstrap` (default 200) resamples of the points, with replacement, drawn by a
 *   seeded PRNG (`seed`, default 1; resamples with fewer than 3 distinct sizes are redrawn), whose choice is the
 *   same class. 0 when bootstrap is 0. Runner-up: among the other classes, the simplest whose rmsRelErr is within
 *   the margin of the smallest.
 * - Margin: 0.05–0.3 change little overall (bench/complexity/fitter-accuracy.ts); larger margins trade O(n log n)
 *   for O(n) accuracy on narrow size ranges, 0.1 balances the two.
 *
 * Points with n < 1 or y ≤ 0 or non-finite values are ignored (noted).
 */
export function fitSeries(points: SeriesPoint[], opts: { margin?: number; bootstrap?: number; seed?: number } = {}): SeriesFit {
  const margin = Math.min(0.9, Math.max(0, opts.margin ?? DEFAULT_MARGIN));
  const B = Math.max(0, Math.floor(opts.bootstrap ?? 200));
  const notes: string[] = [];
  const pts = points.filter((p) => Number.isFinite(p.n) && p.n >= 1 && Number.isFinite(p.y) && p.y > 0);
  if (pts.length < points.length) notes.push(`${points.length - pts.length} point(s) with n < 1, y ≤ 0 or a non-finite value ignored`);
  if (pts.length === 0) {
    const none: ClassFit = { cls: 'O(1)', a: 0, b: 0, rmsRelErr: 0 };
    return { best: none, runnerUp: null, confidence: 0, fits: [], rSquared: 0, growth: 0, note: [...notes, 'no usable point'].join('; ') };
  }
  pts.sort((p, q) => p.n - q.n);
  const ns = pts.map((p) => p.n);
  const ys = pts.map((p) => p.y);
  const distinct = new Set(ns).size;
  const an = analyse(ns, ys, margin);
  if (distinct < 3) notes.push(`only ${distinct} distinct size(s): the classes cannot be told apart`);
  else if (an.decreasing) notes.push('the series does not increase with n: O(1)');
  if (an.best.dropped >= 0) notes.push(`the point at n = ${ns[an.best.dropped]} was left out as an outlier`);
  const runnerUp = pickRunnerUp(an.fitted, an.best, margin);
  let confidence = 0;
  if (distinct >= 3 && B > 0) {
    const rand = mulberry32(opts.seed ?? 1);
    const N = ns.length;
    let same = 0;
    for (let r = 0; r < B; r++) {
      let idx: number[] = [];
      for (let attempt = 0; attempt < 50; attempt++) {
        idx = Array.from({ length: N }, () => Math.floor(rand() * N)).sort((p, q) => p - q);
        if (new Set(idx.map((k) => ns[k])).size >= 3) break;
      }
      const boot = analyse(idx.map((k) => ns[k]), idx.map((k) => ys[k]), margin);
      if (sameClass(boot.best, an.best)) same++;
    }
    confidence = same / B;
  }
  return {
    best: toClassFit(an.best),
    runnerUp: runnerUp ? toClassFit(runnerUp) : null,
    confidence,
    fits: an.fitted.map(toClassFit),
    rSquared: rSquared(an.best, ns, ys),
    growth: growthExponent(ns, ys),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

// builtinShare is the share of time in built-ins the count does not charge (Python charges sorted, bisect, sum, …
// by their input's size: their mere presence moves nothing here).
/** builtinShare at or above this: built-ins dominate the time, the timings decide. */
const BUILTINS_DOMINATE = 0.5;
/** builtinShare at or above this: the timings decide when they grow faster than the count with this confidence. */
const BUILTINS_MATTER = 0.2;
const CONFIDENT = 0.8;

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The chosen series' best fit leaves more than this rms relative error: no class describes it (count, timings). */
const NO_FIT_OPS = 0.1;
const NO_FIT_TIME = 0.3;

export interface Verdict {
  series: 'operations' | 'time';
  /** The class stood by; when `fits` is false, the fastest-growing candidate, not a claim. */
  cls: ComplexityClass;
  /** O(b^n): the fitted base. */
  base?: number;
  /** The class as shown: 'O(1.62^n)', or 'no class fits; fastest-growing candidate O(n^3)'. */
  label: string;
  /** False when no class fits the chosen series (see NO_FIT_OPS / NO_FIT_TIME). */
  fits: boolean;
  confidence: number;
  reason: string;
}

/**
 * Which series to stand by. The operation count is noise-free but blind to the work inside built-in calls, so it
 * is a lower bound on the work; the timings see everything but are noisy and overhead-dominated at small sizes.
 * - Both agree: the count (noise-free), with the larger of the two confidences.
 * - The timings grow faster than the count: the timings when built-ins take ≥ 50% of the time, or ≥ 20% and the
 *   time fit has confidence ≥ 0.8 (the extra growth is work the count cannot see); otherwise the count (the
 *   learner's code does the work, the extra growth is noise).
 * - The timings grow slower than the count: the count (a lower bound; the timings are still dominated by overhead).
 * - One series missing: the other. Both missing: O(1) with confidence 0.
 * - Confidence: the chosen fit's bootstrap confidence; when the two series disagree, times (1 − half the other
 *   series' confidence).
 * - The chosen series' best fit misses by more than 10% rms (count) or 30% (timings): no class fits. The verdict
 *   says so and names the fastest-growing of the best fit and its runner-up as a candidate, with confidence 0,
 *   rather than name a class with a confidence its error does not support.
 */
export function chooseVerdict(ops: SeriesFit | null, time: SeriesFit | null, builtinShare: number, seen?: SeenBuiltins): Verdict {
  const verdict = chooseFromSeries(ops, time, builtinShare);
  const said = seen && ops ? sayWhatTheCountSaw(seen) : '';
  return said ? { ...verdict, reason: `${verdict.reason.replace(/\.$/, '')}; ${said}` } : verdict;
}

/** The built-ins a Python counting pass charged by their input's size, and those it timed without seeing into. */
export interface SeenBuiltins {
  charged: string[];
  unseen: string[];
}

function sayWhatTheCountSaw({ charged, unseen }: SeenBuiltins): string {
  const list = (names: string[]) => {
    const shown = names.slice(0, 4).map((n) => `${n}()`);
    return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown[0];
  };
  const parts: string[] = [];
  if (charged.length) parts.push(`the operation count includes the work inside ${list(charged)}, by the size of what each call was handed`);
  if (unseen.length) parts.push(`${parts.length ? 'it' : 'the operation count'} cannot see inside ${list(unseen)}, whose time is in the built-in share`);
  return parts.length ? `${parts.join('; ')}.` : '';
}

function chooseFromSeries(ops: SeriesFit | null, time: SeriesFit | null, builtinShare: number): Verdict {
  const v = pickSeries(ops, time, builtinShare);
  // Each series' bootstrap confidence says how sure its own fit is, not whether it is the right series to read:
  // a noise-free count is "100% sure" of O(1) for a bisect it cannot see into. When the other series disagrees,
  // the verdict is only as sure as the chosen fit times the doubt the other one casts (half its confidence):
  // every wrong verdict at confidence ≥ 0.95 in bench/complexity/accuracy.ts was such a disagreement.
  const other = v.series === 'time' ? ops : time;
  const chosen = v.series === 'time' ? time : ops;
  if (other && chosen && v.disagree) v.confidence = chosen.confidence * (1 - other.confidence / 2);
  const s = v.series === 'time' ? time : ops;
  const best = s?.best;
  const base = best?.cls === v.cls ? best.base : undefined;
  delete v.disagree;
  const plain = { ...v, ...(base !== undefined ? { base } : {}), label: classLabel(v.cls, base), fits: true };
  if (!s || !best || best.rmsRelErr <= (v.series === 'time' ? NO_FIT_TIME : NO_FIT_OPS)) return plain;
  const cand = s.runnerUp && growthOrder(s.runnerUp.cls, s.runnerUp.base) > growthOrder(best.cls, best.base) ? s.runnerUp : best;
  const candLabel = classLabel(cand.cls, cand.base);
  const name = v.series === 'time' ? 'timings' : 'operation count';
  return {
    series: v.series,
    cls: cand.cls,
    ...(cand.base !== undefined ? { base: cand.base } : {}),
    label: `no class fits; fastest-growing candidate ${candLabel}`,
    fits: false,
    confidence: 0,
    reason: `No complexity class fits the ${name}: the closest, ${classLabel(best.cls, best.base)}, misses it by ${pct(best.rmsRelErr)} on average, so ${candLabel} is only the fastest-growing candidate.`,
  };
}

function pickSeries(
  ops: SeriesFit | null,
  time: SeriesFit | null,
  builtinShare: number,
): { series: 'operations' | 'time'; cls: ComplexityClass; confidence: number; reason: string; disagree?: boolean } {
  const share = Number.isFinite(builtinShare) ? Math.min(1, Math.max(0, builtinShare)) : 0;
  if (!ops && !time) {
    return { series: 'operations', cls: 'O(1)', confidence: 0, reason: 'Neither the operation count nor the timings could be fitted, so no class can be named.' };
  }
  if (!time) {
    const o = ops as SeriesFit;
    const caveat = share >= BUILTINS_DOMINATE ? `, although ${pct(share)} of the time is spent in built-in calls it cannot see into` : '';
    return { series: 'operations', cls: o.best.cls, confidence: o.confidence, reason: `Only the operation count was available, and it grows as ${label(o)}${caveat}.` };
  }
  if (!ops) {
    return { series: 'time', cls: time.best.cls, confidence: time.confidence, reason: `Only the timings were available, and they grow as ${label(time)}.` };
  }
  const o = label(ops);
  const t = label(time);
  if (o === t || (ops.best.cls === 'O(b^n)' && time.best.cls === 'O(b^n)' && Math.abs(Math.log((ops.best.base ?? 2) / (time.best.base ?? 2))) < Math.log(1.15))) {
    return { series: 'operations', cls: ops.best.cls, confidence: Math.max(ops.confidence, time.confidence), reason: `The operation count and the timings agree on ${o}.` };
  }
  if (growthOrder(time.best.cls, time.best.base) > growthOrder(ops.best.cls, ops.best.base)) {
    if (share >= BUILTINS_DOMINATE) {
      return {
        series: 'time', cls: time.best.cls, confidence: time.confidence, disagree: true,
        reason: `${pct(share)} of the time is spent inside built-in calls, whose work the operation count (${o}) cannot see, so the timings' ${t} stands.`,
      };
    }
    if (share >= BUILTINS_MATTER && time.confidence >= CONFIDENT) {
      return {
        series: 'time', cls: time.best.cls, confidence: time.confidence, disagree: true,
        reason: `The timings grow as ${t} with confidence ${time.confidence.toFixed(2)} and ${pct(share)} of the time is spent in built-in calls the operation count (${o}) cannot see into, so the timings stand.`,
      };
    }
    return {
      series: 'operations', cls: ops.best.cls, confidence: ops.confidence, disagree: true,
      reason: `The learner's own code does most of the work (${pct(share)} of the time in built-ins), so the noise-free operation count's ${o} stands over the timings' ${t}.`,
    };
  }
  return {
    series: 'operations', cls: ops.best.cls, confidence: ops.confidence, disagree: true,
    reason: `The operation count, a lower bound on the work, grows as ${o} while the timings (${t}) are still dominated by constant overhead at these sizes.`,
  };
}

function label(s: SeriesFit): string {
  return classLabel(s.best.cls, s.best.base);
}

/**
 * A verdict chosen without an operation count because the language has none (`noCount`: "C++ has no operation
 * count"; its points' `ops` are null): the timings' alone, and the reason says why.
 */
export function timingsOnly(verdict: Verdict, noCount: string): Verdict {
  const why = `${noCount} (timings only)`;
  return { ...verdict, reason: verdict.fits ? `${why}: the timings grow as ${verdict.label}.` : `${why}. ${verdict.reason}` };
}
