/** Small helpers shared by bench/tracer: medians, number formatting and a plain-text table. */

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Significant-ish: 3 digits for small numbers, thousands separators for big ones. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return fmt(x, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/** A markdown table, columns padded (right-aligned except the first `leftCols`). */
export function table(head: string[], rows: string[][], leftCols = 2): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i < leftCols ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const sep = '|' + w.map((n, i) => (i < leftCols ? ':' + '-'.repeat(n + 1) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(head), sep, ...rows.map(line)].join('\n');
}
