/**
 * deploy/prometheus: the alert rules pass `promtool check rules` and their unit tests (`promtool test rules`), every
 * metric they and the Grafana dashboard name is one the server exports, and the dashboard is valid JSON.
 * promtool comes from Debian's prometheus package (scripts/ensure-promtool.sh; scripts/test.sh runs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { createMetrics } from '../../server/obs/metrics.ts';
import { paths } from '../../server/paths.ts';

const run = promisify(execFile);
const DIR = path.join(paths.root, 'deploy', 'prometheus');
const DASHBOARD = path.join(paths.root, 'deploy', 'grafana', 'tracecast.json');

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: DIR });
    return stdout + stderr;
  } catch (err) {
    const e = err as { code?: string | number; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: run scripts/ensure-promtool.sh (Debian\'s prometheus package)');
    throw new Error(`promtool ${args.join(' ')} failed (${e.code}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The tracecast_* metric families the server registers, with the series names a histogram adds. */
async function exported(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await createMetrics().registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

const metricNames = (text: string) => new Set([...text.matchAll(/\btracecast_[a-z_]+/g)].map((m) => m[0]));

describe('alert rules and dashboard', () => {
  it('promtool check rules accepts alerts.yml', async () => {
    assert.match(await promtool('check', 'rules', 'alerts.yml'), /SUCCESS: \d+ rules found/);
  });

  it('promtool test rules passes alerts.test.yml (the critical alerts fire, and only when they should)', async () => {
    assert.match(await promtool('test', 'rules', 'alerts.test.yml'), /SUCCESS/);
  });

  it('the rules and the dashboard name only metrics the server exports', async () => {
    const known = await exported();
    const rules = readFileSync(path.join(DIR, 'alerts.yml'), 'utf8');
    const dashboard = readFileSync(DASHBOARD, 'utf8');
    for (const [file, text] of [['alerts.yml', rules], ['tracecast.json', dashboard]] as const) {
      const unknown = [...metricNames(text)].filter((n) => !known.has(n));
      assert.deepEqual(unknown, [], `${file} names metrics the server does not export`);
    }
    const json = JSON.parse(dashboard) as { title: string; panels: { title: string; targets?: { expr: string }[] }[] };
    assert.ok(json.panels.length > 0);
    for (const wanted of ['tracecast_queue_wait_seconds_bucket', 'tracecast_first_step_seconds_bucket', 'tracecast_messages_handled_total', 'tracecast_refusals_total', 'tracecast_dependency_up']) {
      assert.ok(json.panels.some((p) => p.targets?.some((t) => t.expr.includes(wanted))), `the dashboard shows ${wanted}`);
    }
  });
});
