/** What every bench script prints with: a progress log on stderr (with the load average), percentiles, Markdown tables. */
import { readFileSync } from 'node:fs';
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

/** All CPUs' time from /proc/stat since boot, in ticks: busy (user, nice, system, irq, softirq), idle (with iowait), steal. */
export function cpuTicks(): { busy: number; idle: number; steal: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: f[0] + f[1] + f[2] + f[5] + f[6], idle: f[3] + f[4], steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/** A meter of the share of CPU time the hypervisor gave to others (steal) since it was made; NaN without /proc/stat. */
export function stealMeter(): () => number {
  const a = cpuTicks();
  return () => {
    const b = cpuTicks();
    if (!a || !b) return NaN;
    const total = b.busy + b.idle + b.steal - (a.busy + a.idle + a.steal);
    return total > 0 ? (b.steal - a.steal) / total : 0;
  };
}

/**
 * Waits (up to `maxMs`) for the CPUs to be quiet, under 10% busy for 3 s running, so that what an earlier section
 * left behind (containers being removed, servers stopping) is not measured; returns the ms it waited.
 */
export async function untilQuiet(maxMs = 120_000): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  for (let before = cpuTicks(); before && quiet < 3 && performance.now() - start < maxMs; ) {
    await sleep(1000);
    const now = cpuTicks()!;
    const busy = now.busy - before.busy;
    quiet = busy / (busy + now.idle - before.idle + now.steal - before.steal) < 0.1 ? quiet + 1 : 0;
    before = now;
  }
  return performance.now() - start;
}
