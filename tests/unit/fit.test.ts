/** The complexity fitter: exact and noisy synthetic series, robustness cases, and the choice between the two series. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseVerdict, classLabel, fitSeries, fitValue, timingsOnly, type ComplexityClass, type SeriesFit, type SeriesPoint } from '../../server/benchmark/fit.ts';
import { mulberry32 } from '../../server/benchmark/stats.ts';

const CLASSES: ComplexityClass[] = ['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n^2)', 'O(n^3)', 'O(2^n)'];
const F: Record<ComplexityClass, (n: number) => number> = {
  'O(1)': () => 1,
  'O(log n)': (n) => Math.log(n),
  'O(n)': (n) => n,
  'O(n log n)': (n) => n * Math.log(n),
  'O(n^2)': (n) => n * n,
  'O(n^3)': (n) => n ** 3,
  'O(2^n)': (n) => 2 ** n,
  'O(n!)': (n) => factorial(n),
  'O(b^n)': (n) => PHI ** n,
};
const PHI = (1 + Math.sqrt(5)) / 2;
function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}
const rank = (c: ComplexityClass) => CLASSES.indexOf(c);

const GRID5 = [100, 500, 1000, 2500, 5000];
/** Eight log-spaced sizes, 16…16384. */
const LOG8 = Array.from({ length: 8 }, (_, i) => Math.round(16 * 1024 ** (i / 7)));
/** Exponential-time functions can only be measured at small n. */
const EXP5 = [10, 14, 18, 22, 26];
const EXP8 = Array.from({ length: 8 }, (_, i) => Math.round(10 * 4 ** (i / 7))); // 10…40
const EXP15 = Array.from({ length: 15 }, (_, i) => 10 + i); // 10…24

/** y = a + b·f(n) with a = 3·b·f(n_min) (constant overhead three times the work at the smallest size). */
function exact(cls: ComplexityClass, ns: number[], b = 2e-7): SeriesPoint[] {
  const f = F[cls];
  return ns.map((n) => ({ n, y: cls === 'O(1)' ? 4e-4 : 3 * b * f(ns[0]) + b * f(n) }));
}

/**
 * One noisy trial: overhead 1–3× the work at the smallest size, multiplicative noise uniform in 1 ± p with
 * p ∈ [pLo, pHi] drawn per trial, and in half the trials one size (uniformly chosen) doubled.
 */
function noisy(cls: ComplexityClass, ns: number[], rand: () => number, pLo = 0.05, pHi = 0.2): SeriesPoint[] {
  const f = F[cls];
  const p = pLo + (pHi - pLo) * rand();
  const ov = 1 + 2 * rand();
  const ys = ns.map((n) => (cls === 'O(1)' ? 3e-5 : 1e-7 * (ov * f(ns[0]) + f(n))) * (1 + p * (2 * rand() - 1)));
  if (rand() < 0.5) ys[Math.floor(rand() * ns.length)] *= 2;
  return ns.map((n, i) => ({ n, y: ys[i] }));
}

function rates(cls: ComplexityClass, ns: number[], seed: number, pLo?: number, pHi?: number) {
  const rand = mulberry32(seed);
  let right = 0;
  let near = 0;
  const wrong: Partial<Record<ComplexityClass, number>> = {};
  for (let t = 0; t < 100; t++) {
    const got = fitSeries(noisy(cls, ns, rand, pLo, pHi), { bootstrap: 0 }).best.cls;
    if (got === cls) right++;
    else wrong[got] = (wrong[got] ?? 0) + 1;
    if (Math.abs(rank(got) - rank(cls)) <= 1) near++;
  }
  return { right: right / 100, near: near / 100, wrong: JSON.stringify(wrong) };
}

describe('fitSeries on exact series', () => {
  for (const [name, grid, expGrid] of [['5 sizes 100…5000', GRID5, EXP5], ['8 log-spaced sizes', LOG8, EXP8]] as const) {
    for (const cls of CLASSES) {
      it(`${cls} over ${name} is classified exactly with confidence ≥ 0.95`, () => {
        const r = fitSeries(exact(cls, cls === 'O(2^n)' ? [...expGrid] : [...grid]));
        assert.equal(r.best.cls, cls, JSON.stringify(r));
        assert.ok(r.confidence >= 0.95, `confidence ${r.confidence}`);
        assert.ok(r.best.rmsRelErr < 1e-9, `rmsRelErr ${r.best.rmsRelErr}`);
        assert.notEqual(r.runnerUp?.cls, cls);
      });
    }
  }

  it('recovers a and b in the units of the series', () => {
    const pts = GRID5.map((n) => ({ n, y: 3e-4 + 2e-9 * n * n }));
    const r = fitSeries(pts, { bootstrap: 0 });
    assert.equal(r.best.cls, 'O(n^2)');
    assert.ok(Math.abs(r.best.a / 3e-4 - 1) < 1e-6, `a ${r.best.a}`);
    assert.ok(Math.abs(r.best.b / 2e-9 - 1) < 1e-6, `b ${r.best.b}`);
    const e = fitSeries(EXP15.map((n) => ({ n, y: 5e-3 + 1e-8 * 2 ** n })), { bootstrap: 0 });
    assert.equal(e.best.cls, 'O(2^n)');
    assert.ok(Math.abs(e.best.b / 1e-8 - 1) < 1e-6, `b ${e.best.b}`);
  });

  it('reads an O(n) series whose constant overhead dwarfs the work at small sizes as O(n), not O(1)', () => {
    const pts = LOG8.map((n) => ({ n, y: 50 * 16 + n })); // the constant is 50× the work at n = 16
    const r = fitSeries(pts);
    assert.equal(r.best.cls, 'O(n)');
    assert.ok(r.confidence >= 0.9);
  });

  it('names a neighbouring class as the runner-up', () => {
    const r = fitSeries(exact('O(n log n)', LOG8));
    assert.equal(r.best.cls, 'O(n log n)');
    assert.ok(r.runnerUp && ['O(n)', 'O(n^2)'].includes(r.runnerUp.cls), JSON.stringify(r.runnerUp));
  });
});

describe('fitSeries on noisy series (5–20% noise, a 2× outlier in half the trials, overhead-dominated small sizes)', () => {
  for (const cls of CLASSES) {
    it(`${cls} over 8 log-spaced sizes is right in ≥ 95% of 100 trials`, () => {
      const r = rates(cls, cls === 'O(2^n)' ? EXP15 : LOG8, 100 + rank(cls));
      assert.ok(r.right >= 0.95, `right ${r.right}, wrong ${r.wrong}`);
    });
  }
  for (const cls of ['O(1)', 'O(n^2)', 'O(n^3)'] as const) {
    it(`${cls} over 5 sizes 100…5000 is right in ≥ 95% of 100 trials`, () => {
      const r = rates(cls, GRID5, 200 + rank(cls));
      assert.ok(r.right >= 0.95, `right ${r.right}, wrong ${r.wrong}`);
    });
  }
  // Over 100…5000 (a factor 50) a + b·n and a + b·n·log n differ by ~7% rms, and log n with overhead rises by
  // only 20–40% in all: at 20% noise no method can tell them apart reliably. The fitter stays within one class.
  for (const cls of ['O(log n)', 'O(n)', 'O(n log n)'] as const) {
    it(`${cls} over 5 sizes 100…5000 is within one class in ≥ 95% of 100 trials, and right in ≥ 90% at 5% noise`, () => {
      const r = rates(cls, GRID5, 300 + rank(cls));
      assert.ok(r.near >= 0.95, `within one class ${r.near}, wrong ${r.wrong}`);
      if (cls !== 'O(log n)') {
        const low = rates(cls, GRID5, 400 + rank(cls), 0.05, 0.05);
        assert.ok(low.right >= 0.9, `right at 5% noise ${low.right}, wrong ${low.wrong}`);
      }
    });
  }
});

describe('fitSeries robustness', () => {
  it('leaves out a single preempted point at the largest size', () => {
    const lin = exact('O(n)', GRID5).map((p, i, all) => (i === all.length - 1 ? { ...p, y: 2 * p.y } : p));
    const r = fitSeries(lin);
    assert.equal(r.best.cls, 'O(n)', JSON.stringify(r));
    assert.match(r.note ?? '', /n = 5000 was left out/);
    const flat = LOG8.map((n, i) => ({ n, y: i === LOG8.length - 1 ? 2e-5 : 1e-5 }));
    assert.equal(fitSeries(flat).best.cls, 'O(1)');
  });

  it('never reports a negative intercept or slope', () => {
    const rand = mulberry32(11);
    const shapes = [
      (n: number) => 5 - Math.log(n) / 2, // decreasing
      (n: number) => 1e4 - 1.5 * n, // decreasing linearly
      (n: number) => n * n - 4000 * n + 5e6, // down then up
      (n: number) => n * Math.log(n) - 0.9 * 100 * Math.log(100), // would want a < 0
    ];
    for (const shape of shapes) {
      for (let t = 0; t < 20; t++) {
        const r = fitSeries(GRID5.map((n) => ({ n, y: Math.max(1e-3, shape(n)) * (1 + 0.1 * (2 * rand() - 1)) })), { bootstrap: 0 });
        for (const f of r.fits) assert.ok(f.a >= 0 && f.b >= 0, JSON.stringify(f));
      }
    }
  });

  it('does not leave out a point below the fit (interference only adds time)', () => {
    const pts = exact('O(n^2)', LOG8).map((p, i) => (i === 5 ? { ...p, y: p.y / 2 } : p));
    const r = fitSeries(pts, { bootstrap: 0 });
    assert.doesNotMatch(r.note ?? '', /left out/);
    assert.equal(r.best.cls, 'O(n^2)');
  });

  it('classifies decreasing series as O(1)', () => {
    const down = GRID5.map((n) => ({ n, y: 1e-4 + 1 / n }));
    const r = fitSeries(down);
    assert.equal(r.best.cls, 'O(1)');
    assert.match(r.note ?? '', /does not increase/);
    assert.equal(r.best.b, 0);
    // Decreasing with a spike at the end: the one slow point must not make it grow.
    assert.equal(fitSeries([10, 8, 6, 4, 9].map((y, i) => ({ n: GRID5[i], y }))).best.cls, 'O(1)');
    const rand = mulberry32(7);
    for (let t = 0; t < 100; t++) {
      const pts = LOG8.map((n, i) => ({ n, y: (2 - i / 8) * (1 + 0.2 * (2 * rand() - 1)) }));
      assert.equal(fitSeries(pts, { bootstrap: 0 }).best.cls, 'O(1)', JSON.stringify(pts));
    }
  });

  it('sees growth in 4 points that rise in order and by at least 2×, not in order alone', () => {
    // Measured (JS sort(), a series cut to 4 sizes by the budget): the F-test alone, with 2 degrees of freedom, said O(1).
    const sorted4 = [[1000, 0.308], [2512, 0.798], [6310, 1.99], [15849, 8.55]].map(([n, y]) => ({ n, y }));
    assert.notEqual(fitSeries(sorted4).best.cls, 'O(1)');
    // In order but under 2× and shaped like no class: a jump, then flat.
    const step4 = [[1000, 1.0], [2512, 1.8], [6310, 1.82], [15849, 1.9]].map(([n, y]) => ({ n, y }));
    assert.equal(fitSeries(step4).best.cls, 'O(1)');
    const dip4 = [[1000, 1.0], [2512, 3.0], [6310, 2.5], [15849, 4.0]].map(([n, y]) => ({ n, y }));
    assert.equal(fitSeries(dip4).best.cls, 'O(1)', 'out of order: no trend test passes on 4 points');
  });

  it('fits O(2^n) at small n, tells it from n³ there, and never fits it where 2^n overflows or cannot be measured', () => {
    const e = fitSeries(exact('O(2^n)', EXP15));
    assert.equal(e.best.cls, 'O(2^n)');
    assert.ok(e.confidence >= 0.9);
    assert.equal(fitSeries(exact('O(n^3)', EXP15)).best.cls, 'O(n^3)');
    assert.equal(fitSeries(exact('O(n^2)', EXP15)).best.cls, 'O(n^2)');
    for (const grid of [GRID5, LOG8, [1000, 10000, 100000, 1000000]]) {
      const r = fitSeries(exact('O(n^2)', grid));
      assert.ok(!r.fits.some((f) => f.cls === 'O(2^n)'), `2^n fit over ${grid}`);
      for (const f of r.fits) assert.ok([f.a, f.b, f.rmsRelErr].every(Number.isFinite), JSON.stringify(f));
    }
    // Sizes far apart below 1024: a flat series with one slow last point is not a "spike" of 2^n.
    const spike = fitSeries([200, 400, 600, 800, 1000].map((n, i) => ({ n, y: i === 4 ? 10 : 1 })));
    assert.ok(!spike.fits.some((f) => f.cls === 'O(2^n)'));
  });

  it('is deterministic for a seed, and reports no confidence without a bootstrap', () => {
    const pts = noisy('O(n log n)', GRID5, mulberry32(3));
    assert.deepEqual(fitSeries(pts, { seed: 9 }), fitSeries(pts, { seed: 9 }));
    assert.equal(fitSeries(pts, { bootstrap: 0 }).confidence, 0);
  });

  it('handles too few sizes and unusable points', () => {
    const two = fitSeries([{ n: 10, y: 1 }, { n: 20, y: 4 }]);
    assert.equal(two.best.cls, 'O(1)');
    assert.equal(two.confidence, 0);
    assert.match(two.note ?? '', /distinct size/);
    const empty = fitSeries([]);
    assert.equal(empty.best.cls, 'O(1)');
    assert.equal(empty.confidence, 0);
    const some = fitSeries([{ n: 0, y: 1 }, { n: 100, y: -1 }, ...exact('O(n)', GRID5)]);
    assert.equal(some.best.cls, 'O(n)');
    assert.match(some.note ?? '', /2 point\(s\)/);
  });
});

describe('chooseVerdict', () => {
  const opsLinear = fitSeries(exact('O(n)', GRID5));
  const opsQuad = fitSeries(exact('O(n^2)', GRID5));
  const timeQuad = fitSeries(GRID5.map((n, i) => ({ n, y: (2e-4 + 3e-9 * n * n) * [1.05, 0.97, 1.02, 0.98, 1.03][i] })));
  const timeNlogn = fitSeries(GRID5.map((n, i) => ({ n, y: (1e-4 + 2e-8 * n * Math.log(n)) * [1.0, 1.01, 0.99, 1.0, 1.0][i] })));
  const timeFlat = fitSeries(GRID5.map((n, i) => ({ n, y: 1e-3 * [1.02, 0.99, 1.01, 0.98, 1.0][i] })));
  const oneSentence = (s: string) => assert.ok(/^[A-Z0-9].*\.$/.test(s) && !/\.\s+[A-Z]/.test(s), `not one sentence: ${s}`);

  it('the fixtures classify as intended', () => {
    assert.deepEqual([opsLinear, opsQuad, timeQuad, timeNlogn, timeFlat].map((f) => f.best.cls), ['O(n)', 'O(n^2)', 'O(n^2)', 'O(n log n)', 'O(1)']);
    assert.ok(timeQuad.confidence >= 0.8);
  });

  it('trusts the timings when built-ins dominate (list.index or sorted() inside a loop)', () => {
    const v = chooseVerdict(opsLinear, timeQuad, 0.85);
    assert.equal(v.series, 'time');
    assert.equal(v.cls, 'O(n^2)');
    assert.equal(v.confidence, timeQuad.confidence * (1 - opsLinear.confidence / 2), 'the count disagrees: the verdict is less sure than the time fit');
    assert.match(v.reason, /built-in/);
    oneSentence(v.reason);
  });

  it('trusts the operation count when the learner\'s code does the work', () => {
    const v = chooseVerdict(opsLinear, timeNlogn, 0.05);
    assert.equal(v.series, 'operations');
    assert.equal(v.cls, 'O(n)');
    oneSentence(v.reason);
  });

  it('follows the timings when built-ins dominate even when the time fit is not confident', () => {
    const shaky: SeriesFit = { ...timeQuad, confidence: 0.5 };
    const v = chooseVerdict(opsLinear, shaky, 0.7);
    assert.deepEqual([v.series, v.cls, v.confidence], ['time', 'O(n^2)', 0.5 * (1 - opsLinear.confidence / 2)]);
  });

  it('with a moderate built-in share, follows the timings only when they are confident', () => {
    const confident: SeriesFit = { ...timeQuad, confidence: 0.95 };
    const shaky: SeriesFit = { ...timeQuad, confidence: 0.5 };
    assert.equal(chooseVerdict(opsLinear, confident, 0.3).series, 'time');
    assert.equal(chooseVerdict(opsLinear, shaky, 0.3).series, 'operations');
  });

  it('keeps the count when both agree, or when the timings grow slower than the count', () => {
    const agree = chooseVerdict(opsQuad, timeQuad, 0.9);
    assert.deepEqual([agree.series, agree.cls], ['operations', 'O(n^2)']);
    assert.equal(agree.confidence, Math.max(opsQuad.confidence, timeQuad.confidence));
    oneSentence(agree.reason);
    const slower = chooseVerdict(opsLinear, timeFlat, 0.9);
    assert.deepEqual([slower.series, slower.cls], ['operations', 'O(n)']);
    oneSentence(slower.reason);
  });

  it('says what the count saw into and what it did not, in the same sentence', () => {
    const v = chooseVerdict(opsLinear, timeNlogn, 0.05, { charged: ['dict.get', 'sorted'], unseen: ['str.join'] });
    assert.equal(v.series, 'operations');
    assert.match(v.reason, /; the operation count includes the work inside dict\.get\(\) and sorted\(\), by the size of what each call was handed; it cannot see inside str\.join\(\), whose time is in the built-in share\.$/);
    oneSentence(v.reason);
    assert.equal(chooseVerdict(opsLinear, timeNlogn, 0.05, { charged: [], unseen: [] }).reason, chooseVerdict(opsLinear, timeNlogn, 0.05).reason);
    assert.equal(chooseVerdict(null, timeQuad, 0.1, { charged: ['sorted'], unseen: [] }).reason, chooseVerdict(null, timeQuad, 0.1).reason, 'no count, nothing to say of it');
  });

  it('uses whichever series exists', () => {
    assert.deepEqual([chooseVerdict(null, timeQuad, 0.1).series, chooseVerdict(null, timeQuad, 0.1).cls], ['time', 'O(n^2)']);
    assert.deepEqual([chooseVerdict(opsLinear, null, 0.9).series, chooseVerdict(opsLinear, null, 0.9).cls], ['operations', 'O(n)']);
    const none = chooseVerdict(null, null, 0.5);
    assert.equal(none.confidence, 0);
    for (const v of [chooseVerdict(null, timeQuad, 0.1), chooseVerdict(opsLinear, null, 0.9), none]) oneSentence(v.reason);
  });
});

describe('exponentials of any base, factorial growth, and series no class fits', () => {
  /** Naive Fibonacci's call count: 2·F(n+1) − 1, exactly what the operation count of fib(n) grows as. */
  const fibCalls = (n: number) => 2 * Math.round(PHI ** (n + 1) / Math.sqrt(5)) - 1;
  const FIB = [12, 14, 16, 18, 20, 22, 24, 26];

  it('reads naive Fibonacci\'s call count as O(b^n) with b ≈ 1.618, not O(n^3) or O(2^n)', () => {
    const r = fitSeries(FIB.map((n) => ({ n, y: 40 + 7 * fibCalls(n) })));
    assert.equal(r.best.cls, 'O(b^n)', JSON.stringify(r.best));
    assert.ok(Math.abs((r.best.base ?? 0) - PHI) < 0.01, `base ${r.best.base}`);
    assert.ok(r.confidence >= 0.95, `confidence ${r.confidence}`);
    assert.equal(classLabel(r.best.cls, r.best.base), 'O(1.62^n)');
    for (const n of FIB) assert.ok(Math.abs(fitValue(r.best, n) / (40 + 7 * fibCalls(n)) - 1) < 1e-3, `curve at ${n}`);
  });

  it('fits 3^n and 1.3^n with their bases, and keeps O(2^n) for base 2', () => {
    for (const [base, ns] of [[3, [6, 8, 10, 12, 14, 16]], [1.3, [20, 30, 40, 50, 60, 70, 80]]] as const) {
      const r = fitSeries(ns.map((n) => ({ n, y: 1e-3 + 1e-7 * base ** n })));
      assert.equal(r.best.cls, 'O(b^n)', `${base}: ${JSON.stringify(r.best)}`);
      assert.ok(Math.abs((r.best.base ?? 0) / base - 1) < 0.01, `base ${r.best.base} for ${base}`);
    }
    const two = fitSeries(EXP15.map((n) => ({ n, y: 1e-3 + 1e-7 * 2 ** n })));
    assert.equal(two.best.cls, 'O(2^n)');
  });

  it('reads permutations (n!) as O(n!), and tells it from exponentials', () => {
    const ns = [4, 5, 6, 7, 8, 9, 10];
    const r = fitSeries(ns.map((n) => ({ n, y: 30 + 5 * factorial(n) })));
    assert.equal(r.best.cls, 'O(n!)', JSON.stringify(r.best));
    assert.ok(r.confidence >= 0.9);
    assert.notEqual(fitSeries(ns.map((n) => ({ n, y: 30 + 5 * 3 ** n }))).best.cls, 'O(n!)');
  });

  it('exponential fits with bases within 15% count as the same class in the bootstrap, and noisy φ^n stays exponential', () => {
    const rand = mulberry32(7);
    let right = 0;
    for (let t = 0; t < 50; t++) {
      const r = fitSeries(FIB.map((n) => ({ n, y: (1e-4 + 1e-7 * PHI ** n) * (1 + 0.1 * (2 * rand() - 1)) })), { bootstrap: 0 });
      if (r.best.cls === 'O(b^n)' && Math.abs((r.best.base ?? 0) / PHI - 1) < 0.15) right++;
    }
    assert.ok(right >= 45, `right ${right}/50`);
  });

  it('polynomials over small sizes are not mistaken for exponentials', () => {
    for (const cls of ['O(n^2)', 'O(n^3)'] as const) {
      for (const grid of [EXP15, EXP8]) assert.equal(fitSeries(exact(cls, grid)).best.cls, cls, `${cls} over ${grid}`);
    }
  });

  it('says that no class fits a series none describes, naming the fastest-growing candidate, with confidence 0', () => {
    // Alternating steps: not monotone in any class's shape, but rising overall.
    const zigzag = fitSeries(GRID5.map((n, i) => ({ n, y: [1, 6, 2, 12, 5][i] * 1e3 })), { bootstrap: 50 });
    const v = chooseVerdict(zigzag, null, 0);
    assert.equal(v.fits, false, JSON.stringify({ v, best: zigzag.best }));
    assert.equal(v.confidence, 0);
    assert.match(v.label, /^no class fits; fastest-growing candidate O\(/);
    assert.match(v.reason, /No complexity class fits the operation count/);
    const ok = chooseVerdict(fitSeries(exact('O(n)', GRID5)), null, 0);
    assert.deepEqual([ok.fits, ok.label], [true, 'O(n)']);
  });

  it('compares exponentials by base when the two series disagree', () => {
    const fibOps = fitSeries(FIB.map((n) => ({ n, y: fibCalls(n) })));
    const twoTime = fitSeries(FIB.map((n) => ({ n, y: 1e-6 * 2 ** n })));
    const v = chooseVerdict(fibOps, twoTime, 0.9);
    assert.deepEqual([v.series, v.cls], ['time', 'O(2^n)'], 'the timings grow faster and built-ins dominate');
    const agree = chooseVerdict(fibOps, fitSeries(FIB.map((n) => ({ n, y: 1e-6 * 1.65 ** n }))), 0.9);
    assert.deepEqual([agree.series, agree.label], ['operations', 'O(1.62^n)']);
  });
});

describe('regressions found by bench/complexity/accuracy.ts', () => {
  it('keeps an exact base close to 2 (tribonacci, 1.84^n) rather than read 2^n and say no class fits', () => {
    // tribonacci(n)'s operation count as measured (Python, n = 8…18)
    const ops = [[8, 170], [10, 578], [12, 1958], [14, 6626], [16, 22418], [18, 75842]].map(([n, y]) => ({ n, y }));
    const r = fitSeries(ops);
    assert.equal(r.best.cls, 'O(b^n)', JSON.stringify(r.best));
    assert.ok(Math.abs((r.best.base ?? 0) - 1.839) < 0.02, `base ${r.best.base}`);
    const v = chooseVerdict(r, null, 0);
    assert.deepEqual([v.fits, v.label], [true, 'O(1.84^n)']);
  });

  it('a verdict the other series contradicts is never near-certain (count_with_get: exact O(n) count, O(n log n) timings)', () => {
    const ops = fitSeries([100, 282, 794, 2236, 6300, 17748, 50000].map((n) => ({ n, y: 2 * n + 3 })));
    const time = fitSeries([[100, 0.00571], [282, 0.018], [794, 0.0504], [2236, 0.172], [6300, 0.713], [17748, 1.86], [50000, 7.45]].map(([n, y]) => ({ n, y })));
    assert.deepEqual([ops.best.cls, time.best.cls], ['O(n)', 'O(n log n)']);
    const v = chooseVerdict(ops, time, 0.34);
    assert.ok(v.confidence <= 0.55, `confidence ${v.confidence} for ${v.cls}`);
    const agree = chooseVerdict(ops, fitSeries([100, 282, 794, 2236, 6300, 17748, 50000].map((n) => ({ n, y: 1e-4 * n }))), 0.34);
    assert.equal(agree.confidence, 1);
  });
});

describe('timingsOnly (a language without an operation count: C++)', () => {
  it('says there is no count in every reason, whether or not a class fits the timings', () => {
    const sizes = [100, 200, 400, 800, 1600];
    const linear = chooseVerdict(null, fitSeries(sizes.map((n) => ({ n, y: 1e-8 * n + 1e-7 }))), 0);
    const v = timingsOnly(linear, 'C++ has no operation count');
    assert.deepEqual([v.series, v.cls, v.fits, v.confidence], [linear.series, linear.cls, true, linear.confidence]);
    assert.equal(v.reason, 'C++ has no operation count (timings only): the timings grow as O(n).');
    const zigzag = chooseVerdict(null, fitSeries(sizes.map((n, i) => ({ n, y: i % 2 ? 1e-3 : 1e-6 }))), 0);
    const none = timingsOnly(zigzag, 'C++ has no operation count');
    assert.deepEqual([zigzag.fits, none.fits], [false, false]);
    assert.ok(none.reason.startsWith('C++ has no operation count (timings only). ') && none.reason.endsWith(zigzag.reason), none.reason);
  });
});
