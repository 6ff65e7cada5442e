/**
 * A/B of two tracer runtimes in one run: "after", the sandbox image's own runtime, and "before", another folder of
 * runtimes (e.g. `git archive <commit> tracer-runtimes | tar -x -C DIR`) bind-mounted over the image's /opt/tracecast.
 * Same image, same container limits, runs interleaved (the order alternating each round), so drift on the machine
 * touches both alike. Reports CPU µs per step: the container's CPU from the job sent to the `end` frame, less the
 * median of an empty program's, per step; medians of N rounds. Also checks both sides take the same number of steps.
 *
 *   node --import tsx bench/tracer/ab.ts --before DIR [--reps 9] [--langs python,javascript]
 *
 * DIR holds python/ and javascript/ (javascript/vendor/acorn.mjs included: copy it from this checkout's). Needs
 * Docker and the images (`node --import tsx sandbox-images/build.ts all`).
 */
import os from 'node:os';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { buildImages } from '../../sandbox-images/images.ts';
import type { SandboxProcess } from '../../server/sandbox/sandbox.ts';
import { discard, jobFor, mountedSandbox, ourSandbox, prestart, runJob, useImages, withTimes, type Language } from './harness.ts';
import { PROGRAMS } from './programs.ts';
import { median, table } from './table.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const BEFORE = path.resolve(opt('--before', ''));
const REPS = Number(opt('--reps', '9'));
const LANGS = opt('--langs', 'python,javascript').split(',') as Language[];
if (!args.includes('--before')) throw new Error('usage: ab.ts --before DIR [--reps 9] [--langs python,javascript]');

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const runnerId = `bench-ab-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
const built = await buildImages({ langs: LANGS, log: (stage, msg) => log(`images: [${stage}] ${msg}`) });
useImages(built.images);
const after = ourSandbox(runnerId);
const CMD = { python: withTimes('python3 -u /opt/tracecast/tracer.py'), javascript: withTimes('node /opt/tracecast/tracer.mjs') };
const before: Record<Language, ReturnType<typeof mountedSandbox>> = {
  python: mountedSandbox(runnerId, [`${path.join(BEFORE, 'python')}:/opt/tracecast:ro`], CMD),
  javascript: mountedSandbox(runnerId, [`${path.join(BEFORE, 'javascript')}:/opt/tracecast:ro`], CMD),
};
process.on('SIGINT', () => void after.reap().catch(() => 0).then(() => process.exit(130)));

type Side = 'before' | 'after';
const JOBS = [{ key: 'empty', label: 'empty program', code: { python: '', javascript: '' } }, ...PROGRAMS];
const cpu: Record<string, number[]> = {};     // `${lang}/${key}/${side}` -> job CPU ms per round
const steps: Record<string, Set<number>> = {};

async function round(lang: Language, rep: number): Promise<void> {
  const sides: Side[] = rep % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  const warm: Record<Side, SandboxProcess[]> = {
    before: await prestart(before[lang], lang, JOBS.length),
    after: await prestart(after, lang, JOBS.length),
  };
  try {
    for (const job of JOBS) {
      for (const side of sides) {
        const r = await runJob(warm[side].shift()!, jobFor(job.code[lang]), { capMs: 60_000, sandbox: side === 'after' ? after : before[lang] });
        const k = `${lang}/${job.key}/${side}`;
        (cpu[k] ??= []).push(r.jobCpuMs);
        (steps[`${lang}/${job.key}`] ??= new Set()).add(r.steps);
        log(`${lang} ${job.key} ${side} #${rep + 1}: ${r.status} ${r.steps} steps, CPU ${r.jobCpuMs.toFixed(1)} ms; load ${load()}`);
      }
    }
  } finally {
    await Promise.all([...warm.before, ...warm.after].map((p) => discard(p).catch(() => undefined)));
  }
}

const loadBefore = load();
for (const lang of LANGS) for (let rep = 0; rep < REPS; rep++) await round(lang, rep);
await after.reap().catch(() => 0);

const rows: string[][] = [];
for (const lang of LANGS) {
  const empty = { before: median(cpu[`${lang}/empty/before`]), after: median(cpu[`${lang}/empty/after`]) };
  for (const p of PROGRAMS) {
    const n = [...steps[`${lang}/${p.key}`]];
    const us = (side: Side) => ((median(cpu[`${lang}/${p.key}/${side}`]) - empty[side]) / n[0]) * 1000;
    const b = us('before');
    const a = us('after');
    rows.push([lang, p.label, n.join(' / '), b.toFixed(3), a.toFixed(3), `${(((a - b) / b) * 100).toFixed(1)}%`]);
  }
}
console.log(`Machine: ${os.cpus().length} CPUs, load ${loadBefore} at start, ${load()} at the end; ${REPS} rounds, before = ${BEFORE}, after = ${JSON.stringify(built.images)}\n`);
console.log(table(['lang', 'program', 'steps (before / after when they differ)', 'before CPU µs/step', 'after CPU µs/step', 'after vs before'], rows));
