/** The benchmark: its form (entry, generator, sizes, repeats), each `bench.point` plotted as it arrives, the fitted curves and the verdict. */
import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Benchmark, BuiltinGenerator, LANGUAGES } from '../sdk.ts';
import type { RunModel, FrameOf } from '../model/run-model.ts';
import { fitValue } from '../../../server/benchmark/fit.ts';
import { useDarkMode } from './hooks.ts';

type Fit = NonNullable<FrameOf<'bench.fit'>['time']>['best'];
type BenchRequest = Omit<Benchmark, 'id' | 'session' | 'ownerKey'>;

/** 'O(n^2)' as people write it: 'O(n²)'. */
/** Superscripts for the wire's class names; an exponential's fitted base is shown to two decimals ('O(1.62ⁿ)'). */
const classLabel = (cls: string, base?: number): string =>
  (cls === 'O(b^n)' ? `O(${(base ?? 2).toFixed(2)}^n)` : cls).replace('^2', '²').replace('^3', '³').replace('^n', 'ⁿ');

const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** Seconds with a unit that keeps 3 significant digits: 12.3 µs, 4.56 ms. */
function formatSeconds(s: number): string {
  if (s === 0) return '0';
  if (s < 1e-6) return `${(s * 1e9).toPrecision(3)} ns`;
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

/** "100, 500, 1000" or "100..5000x8" (8 sizes spaced on a log scale), as the CLI's --sizes takes them. */
function parseSizes(text: string): BenchRequest['sizes'] | null {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*x\s*(\d+)\s*$/.exec(text);
  if (range) return { from: Number(range[1]), to: Number(range[2]), count: Number(range[3]) };
  const list = text.split(/[\s,]+/).filter(Boolean);
  return list.length > 0 && list.every((s) => /^\d+$/.test(s)) ? list.map(Number) : null;
}

export interface BenchFormProps {
  /** Suggested entry function and generator (the example's, or the first function in the program). */
  suggestion: { entry: string; generator: string } | null;
  language: Benchmark['language'];
  code(): string;
  submit(message: BenchRequest): void;
}

export function BenchForm({ suggestion, language, code, submit }: BenchFormProps) {
  const [entry, setEntry] = useState(suggestion?.entry ?? '');
  const [generator, setGenerator] = useState(suggestion?.generator ?? 'random_ints');
  const [ownGenerator, setOwnGenerator] = useState('gen');
  const [sizes, setSizes] = useState('100, 200, 400, 800, 1600');
  const [repeats, setRepeats] = useState('3');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (suggestion) {
      setEntry(suggestion.entry);
      setGenerator(suggestion.generator);
    }
  }, [suggestion?.entry, suggestion?.generator]);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const parsedSizes = parseSizes(sizes);
    if (!parsedSizes) return setProblem('Sizes: a list like "100, 500, 1000" or a range like "100..5000x8".');
    const message = {
      type: 'benchmark' as const,
      language,
      code: code(),
      entry: entry.trim(),
      generator: generator === 'function' ? { function: ownGenerator.trim(), seed: 1 } : { builtin: generator, seed: 1 },
      sizes: parsedSizes,
      repeats: Number(repeats),
    };
    // The protocol's own schema says what is wrong before the server has to.
    const checked = Benchmark.safeParse(message);
    if (!checked.success) return setProblem(checked.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
    setProblem(null);
    submit(checked.data);
  };

  // A language's bench mode may take only some built-in generators (C++: no graph, no own generator).
  const only: readonly string[] | null = LANGUAGES[language].benchGenerators;
  const generators = BuiltinGenerator.options.filter((g) => only === null || only.includes(g));
  useEffect(() => {
    if (only !== null && !only.includes(generator)) setGenerator(generators[0]);
  }, [language]);
  return (
    <form class="bench-form" onSubmit={onSubmit} aria-label="Benchmark settings">
      <label>
        Function <input value={entry} onInput={(e) => setEntry(e.currentTarget.value)} required spellcheck={false} placeholder="bubble_sort" />
      </label>
      <label>
        Input generator{' '}
        <select aria-label="Input generator" value={generator} onChange={(e) => setGenerator(e.currentTarget.value)}>
          {generators.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
          {only === null && <option value="function">my own function…</option>}
        </select>
      </label>
      {generator === 'function' && (
        <label>
          Generator function <input value={ownGenerator} onInput={(e) => setOwnGenerator(e.currentTarget.value)} spellcheck={false} title="gen(n, rng) returning the list of arguments" />
        </label>
      )}
      <label>
        Sizes <input value={sizes} onInput={(e) => setSizes(e.currentTarget.value)} spellcheck={false} title='"100, 500, 1000" or "100..5000x8"' />
      </label>
      <label>
        Repeats <input type="number" min={1} max={50} value={repeats} onInput={(e) => setRepeats(e.currentTarget.value)} />
      </label>
      <button type="submit">Run benchmark</button>
      {problem && (
        <p class="refused" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function BenchResults({ run }: { run: RunModel }) {
  const { started, points, stopped, fit } = run.bench;
  // C++ counts no operations (`ops` null): its benchmarks have the timings only.
  const counted = points.flatMap((p): [number, number][] => (p.ops === null ? [] : [[p.n, p.ops]]));
  const timingsOnly = points.length > 0 && counted.length === 0;
  const [log, setLog] = useState(false);
  const sizes = started?.sizes ?? points.map((p) => p.n);
  const range: [number, number] | null = sizes.length > 0 ? [Math.min(...sizes), Math.max(...sizes)] : null;
  return (
    <div class="bench-results">
      <p class="bench-progress" data-testid="bench-progress">
        {points.length} of {started ? started.sizes.length : '…'} sizes measured
        {started && ` (${started.repeats} repeats each)`}
        {stopped && ` · stopped before n = ${stopped.n}: measuring it would pass the time budget`}
      </p>
      <label class="log-toggle">
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.currentTarget.checked)} /> Log scales
      </label>
      <div class="plots">
        <Plot title="Time per call (fastest repeat)" points={points.map((p) => [p.n, p.time.min])} fit={fit?.time?.best ?? null} range={range} log={log} format={formatSeconds} />
        {!timingsOnly && <Plot title="Operations (lines executed per call)" points={counted} fit={fit?.ops?.best ?? null} range={range} log={log} format={(v) => v.toLocaleString('en', { notation: 'compact', maximumSignificantDigits: 3 })} />}
      </div>
      {timingsOnly && <p class="note">No operation count for this language: the timings alone.</p>}
      {fit && <BenchVerdict fit={fit} />}
      <table class="points" aria-label="Measured points">
        <thead>
          <tr>
            <th scope="col">n</th>
            <th scope="col">fastest</th>
            <th scope="col">median</th>
            <th scope="col">operations</th>
            <th scope="col">in built-ins</th>
            <th scope="col">peak memory</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.n}>
              <td>{p.n.toLocaleString('en')}</td>
              <td>{formatSeconds(p.time.min)}</td>
              <td>{formatSeconds(p.time.median)}</td>
              <td>{p.ops === null ? '–' : p.ops.toLocaleString('en')}</td>
              <td>{percent(p.builtinShare)}</td>
              <td>{(p.peakKb / 1024).toFixed(1)} MB</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BenchVerdict({ fit }: { fit: FrameOf<'bench.fit'> }) {
  const series = (name: string, s: FrameOf<'bench.fit'>['time']) =>
    s && (
      <li>
        {name}: {classLabel(s.best.cls, s.best.base)} (confidence {percent(s.confidence)}, error {percent(s.best.rmsRelErr)}){s.runnerUp && `, runner-up ${classLabel(s.runnerUp.cls, s.runnerUp.base)}`}
        {s.note && ` — ${s.note}`}
      </li>
    );
  return (
    <div class="bench-verdict" data-testid="bench-verdict">
      {fit.verdict ? (
        <p>
          <strong class="complexity">{fit.verdict.fits ? classLabel(fit.verdict.cls, fit.verdict.base) : `no class fits; fastest-growing candidate ${classLabel(fit.verdict.cls, fit.verdict.base)}`}</strong> · {percent(fit.verdict.confidence)} confidence · from the {fit.verdict.series === 'operations' ? 'operation count' : 'timings'}. {fit.verdict.reason}
        </p>
      ) : (
        <p>No complexity class could be fitted (fewer than 3 sizes were measured).</p>
      )}
      <ul>
        {series('Operations', fit.ops)}
        {series('Time', fit.time)}
      </ul>
    </div>
  );
}

interface PlotProps {
  title: string;
  points: [number, number][];
  fit: Fit | null;
  /** The sizes the benchmark covers, so the fitted curve spans them all. */
  range: [number, number] | null;
  log: boolean;
  format(v: number): string;
}

const CURVE_SAMPLES = 48;

/** A scatter of measured points and, once fitted, the curve drawn over them (uPlot on a canvas; colours from the theme). */
function Plot({ title, points, fit, range, log, format }: PlotProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = useDarkMode();
  const data = plotData(points, fit, range, log);

  useEffect(() => {
    const el = host.current!;
    const css = getComputedStyle(document.documentElement);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const axis = { stroke: color('--fg'), grid: { stroke: color('--border'), width: 0.5 }, ticks: { stroke: color('--border'), width: 0.5 } };
    const u = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: 220,
        title,
        scales: { x: { time: false, distr: log ? 3 : 1 }, y: { distr: log ? 3 : 1 } },
        axes: [
          { ...axis, label: 'n' },
          { ...axis, size: 72, values: (_u, vals) => vals.map((v) => (v === null ? '' : format(v))) },
        ],
        series: [
          { label: 'n' },
          { label: 'measured', stroke: color('--accent'), width: 0, paths: () => null, points: { show: true, size: 9, fill: color('--accent'), stroke: color('--accent') }, value: (_u, v) => (v === null ? '–' : format(v)) },
          { label: fit ? `fit ${classLabel(fit.cls, fit.base)}` : 'fit', stroke: color('--fit'), width: 2, spanGaps: true, points: { show: false }, value: (_u, v) => (v === null ? '–' : format(v)) },
        ],
        cursor: { drag: { x: false, y: false } },
      },
      data,
      el,
    );
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height: 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
    // The fit's class is in the legend: a new fit rebuilds the chart, new points only update its data.
  }, [log, dark, title, fit?.cls]);

  useEffect(() => {
    chart.current?.setData(data);
  });

  return <div class="plot" ref={host} role="img" aria-label={`${title}: ${points.length} points${fit ? `, fitted ${classLabel(fit.cls, fit.base)}` : ''}`} data-points={points.length} />;
}

/** uPlot's columns: x (sizes and curve samples, ascending), the measured values (null between points), the curve. */
function plotData(points: [number, number][], fit: Fit | null, range: [number, number] | null, log: boolean): uPlot.AlignedData {
  const rows = new Map<number, [number | null, number | null]>();
  for (const [n, y] of points) rows.set(n, [log && y <= 0 ? null : y, null]);
  if (fit && range) {
    const [lo, hi] = range;
    for (let k = 0; k < CURVE_SAMPLES; k++) {
      const n = Math.round(lo * (hi / lo) ** (k / (CURVE_SAMPLES - 1)));
      if (!rows.has(n)) rows.set(n, [null, null]);
    }
    for (const [n, row] of rows) {
      const y = fitValue(fit, n);
      row[1] = Number.isFinite(y) && !(log && y <= 0) ? y : null;
    }
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return [xs, xs.map((n) => rows.get(n)![0]), xs.map((n) => rows.get(n)![1])];
}
