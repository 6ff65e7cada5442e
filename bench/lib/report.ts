/** What every bench script prints with: a progress log on stderr (with the load average), percentiles, Markdown tables. */
import os from 'node:os';

const t0 = performance.now();
export const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s load ${os.loadavg()[0].toFixed(1)}] ${msg}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
export const median = (xs: number[]) => pct(xs, 50);
export const fmtMs = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');

export function table(head: string[], rows: string[][], leftCols = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i < leftCols ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const sep = '|' + w.map((n, i) => (i < leftCols ? ':' + '-'.repeat(n + 1) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(head), sep, ...rows.map(line)].join('\n');
}
