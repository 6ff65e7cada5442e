/** Bench mode: streams one point per size as it is measured, then fits both series and says which it trusts. */
import type { Benchmark } from '../../../protocol/index.ts';
import { LANGUAGES } from '../../../protocol/languages.ts';
import type { BenchPointFrame, TracerFrame } from '../../../protocol/trace.ts';
import { chooseVerdict, fitSeries, timingsOnly, type SeenBuiltins, type SeriesFit } from '../../benchmark/fit.ts';
import type { Emit, ModeHandler } from './mode.ts';

/** The explicit sizes, or `count` sizes spaced on a log scale (rounded, distinct). */
export function benchSizes(sizes: Benchmark['sizes']): number[] {
  if (Array.isArray(sizes)) return [...new Set(sizes)].sort((a, b) => a - b);
  const { from, to, count } = sizes;
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(from * (to / from) ** (i / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const variance = times.reduce((a, t) => a + (t - mean) ** 2, 0) / Math.max(1, times.length - 1);
  return { min: sorted[0], median, mean, stddev: Math.sqrt(variance) };
}

export class BenchMode implements ModeHandler {
  readonly sandboxJob: Record<string, unknown>;
  private readonly points: BenchPointFrame[] = [];
  private readonly sizes: number[];

  constructor(private readonly request: Benchmark) {
    this.sizes = benchSizes(request.sizes);
    const g = request.generator;
    this.sandboxJob = {
      mode: 'bench',
      entry: request.entry,
      generator: 'builtin' in g ? { kind: 'builtin', name: g.builtin, seed: g.seed } : { kind: 'function', name: g.function, seed: g.seed },
      sizes: this.sizes,
      repeats: request.repeats,
      budgetMs: request.budgetMs,
    };
  }

  begin(emit: Emit): void {
    emit({ type: 'bench.started', entry: this.request.entry, sizes: this.sizes, repeats: this.request.repeats, budgetMs: this.request.budgetMs });
  }

  onFrame(frame: TracerFrame, emit: Emit): void {
    if (frame.t === 'bench.point') {
      this.points.push(frame);
      const { charged, unseen } = frame;
      emit({ type: 'bench.point', n: frame.n, time: stats(frame.times), times: frame.times, ops: frame.ops, builtinShare: frame.builtinShare, peakKb: frame.peakKb, ...(charged ? { charged } : {}), ...(unseen ? { unseen } : {}) });
    } else if (frame.t === 'bench.error') {
      emit({ type: 'bench.error', n: frame.n, error: frame.error });
    } else if (frame.t === 'bench.stop') {
      emit({ type: 'bench.stopped', reason: frame.reason, n: frame.n });
    }
  }

  end(emit: Emit): void {
    const fit = (ys: Array<{ n: number; y: number }>): SeriesFit | null => (ys.length >= 3 ? fitSeries(ys) : null);
    // The fastest repeat, not the median: on a shared machine a call longer than a scheduler slice is often
    // preempted for tens of ms while shorter ones are not, which bends medians upward at the large sizes alone.
    const time = fit(this.points.map((p) => ({ n: p.n, y: stats(p.times).min })));
    const counted = this.points.flatMap((p) => (p.ops === null ? [] : [{ n: p.n, y: Math.max(1, p.ops) }]));
    const ops = fit(counted);
    const share = this.points.length ? this.points.reduce((a, p) => a + p.builtinShare, 0) / this.points.length : 0;
    const verdict = time || ops ? chooseVerdict(ops, time, share, seenAcross(this.points)) : null;
    const slim = (f: SeriesFit | null) =>
      f ? { best: f.best, runnerUp: f.runnerUp, confidence: f.confidence, rSquared: f.rSquared, growth: f.growth, ...(f.note ? { note: f.note } : {}) } : null;
    // A runtime that counts nothing (C++) sends `ops` null at every size: its verdict says so.
    const noCount = `${LANGUAGES[this.request.language].label} has no operation count`;
    emit({ type: 'bench.fit', time: slim(time), ops: slim(ops), verdict: verdict && counted.length === 0 ? timingsOnly(verdict, noCount) : verdict });
  }
}

/** What the count saw into over the whole series: every charged built-in, and the unseen ones by how many sizes named them. */
function seenAcross(points: ReadonlyArray<{ charged?: string[]; unseen?: string[] }>): SeenBuiltins | undefined {
  if (!points.some((p) => p.charged || p.unseen)) return undefined;
  const charged = [...new Set(points.flatMap((p) => p.charged ?? []))].sort();
  const votes = new Map<string, number>();
  for (const p of points) for (const name of p.unseen ?? []) votes.set(name, (votes.get(name) ?? 0) + 1);
  const unseen = [...votes].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  return { charged, unseen };
}
