/** Small numeric helpers for the benchmark fitter: a seeded PRNG, rank correlation, medians. Pure, no I/O. */

/** A deterministic 32-bit PRNG (mulberry32): same seed, same sequence, on every platform. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate from a uniform source (Box–Muller, one of the pair). */
export function gaussian(rand: () => number): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Kendall's tau-a between xs and ys: (concordant − discordant) / pairs, in [−1, 1]; 0 when fewer than two points.
 * Ties in either coordinate count as neither.
 */
export function kendallTau(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(xs[j] - xs[i]) * Math.sign(ys[j] - ys[i]);
  }
  return s / ((n * (n - 1)) / 2);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * P(|T| < t) for Student's t with an integer number of degrees of freedom ν ≥ 1
 * (closed forms, Abramowitz & Stegun 26.7.3–4).
 */
export function studentTwoSidedCdf(t: number, nu: number): number {
  if (!(t > 0)) return 0;
  if (!Number.isFinite(t)) return 1;
  const v = Math.max(1, Math.round(nu));
  const theta = Math.atan(t / Math.sqrt(v));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  if (v % 2 === 1) {
    let term = Math.cos(theta);
    let sum = v > 1 ? term : 0;
    for (let k = 3; k <= v - 2; k += 2) {
      term *= (c2 * (k - 1)) / k;
      sum += term;
    }
    return (2 / Math.PI) * (theta + s * sum);
  }
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= v - 2; k += 2) {
    term *= (c2 * (k - 1)) / k;
    sum += term;
  }
  return s * sum;
}

/** The t with P(T > t) = alpha (one-sided upper critical value) for ν degrees of freedom, by bisection. */
export function studentQuantileUpper(alpha: number, nu: number): number {
  const target = 1 - 2 * alpha;
  let lo = 0;
  let hi = 1;
  while (studentTwoSidedCdf(hi, nu) < target && hi < 1e12) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSidedCdf(mid, nu) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
