/**
 * The server's CPU per traced run on the frame path, in-process: what the runner does with each `steps` frame a
 * tracer writes (JSON.parse; check and compact; MessagePack for the log), the general path (parseTracerFrame, then
 * compactSteps) beside the one-pass path (protocol/steps-transcode.ts), alternating, medians of the rounds.
 * The frames are the real tracers' (the sandbox images, `docker run`) for bench/tracer's programs.
 *
 *   node --import tsx bench/runner/frame-path.ts [--rounds 31]
 */
import { execFileSync } from 'node:child_process';
import { encode } from '../../protocol/codec.ts';
import { compactSteps, type WireSteps } from '../../protocol/steps-wire.ts';
import { transcodeSteps } from '../../protocol/steps-transcode.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';
import { fmtMs, median, table } from '../lib/report.ts';
import { images, jobFor, type Language } from '../tracer/harness.ts';
import { PROGRAMS } from '../tracer/programs.ts';

const TRACER: Record<Language, string[]> = { python: ['python3', '-u', '/opt/tracecast/tracer.py'], javascript: ['node', '/opt/tracecast/tracer.mjs'] };
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 31;

function framesOf(language: Language, code: string): Buffer[] {
  const out = execFileSync('docker', ['run', '--rm', '-i', '--network', 'none', images()[language], ...TRACER[language]], { input: jobFor(code), maxBuffer: 256 << 20 });
  const payloads: Buffer[] = [];
  for (let at = 0; at < out.length; at += 4 + out.readUInt32BE(at)) payloads.push(out.subarray(at + 4, at + 4 + out.readUInt32BE(at)));
  return payloads;
}

type Path = (raw: unknown) => WireSteps | null;
const general: Path = (raw) => {
  const frame = parseTracerFrame(raw);
  return frame.t === 'steps' ? compactSteps(frame.steps) : null;
};
const onePass: Path = (raw) => transcodeSteps(raw) ?? general(raw);

/** ms for one run's frames: [total, parse, check + compact, encode]. */
function timeRun(payloads: Buffer[], path: Path): number[] {
  const t = [0, 0, 0, 0];
  for (const p of payloads) {
    const a = performance.now();
    const raw: unknown = JSON.parse(p.toString('utf8'));
    const b = performance.now();
    const wire = path(raw);
    const c = performance.now();
    if (wire) encode({ type: 'steps', session: 'bench-session', run: 'bench-run', ...wire });
    const d = performance.now();
    t[1] += b - a;
    t[2] += c - b;
    t[3] += d - c;
  }
  t[0] = t[1] + t[2] + t[3];
  return t;
}

const rows: string[][] = [];
for (const key of ['bubble', 'fib', 'loop'] as const) {
  const program = PROGRAMS.find((p) => p.key === key)!;
  for (const language of ['python', 'javascript'] as const) {
    const payloads = framesOf(language, program.code[language]);
    const kb = payloads.reduce((n, p) => n + p.length, 0) / 1024;
    const times: Record<'general' | 'onePass', number[][]> = { general: [], onePass: [] };
    // Unmeasured rounds first, so that both paths are compiled by the optimising tier before they are timed.
    for (let r = 0; r < 10 + rounds; r++) {
      for (const side of r % 2 === 0 ? (['general', 'onePass'] as const) : (['onePass', 'general'] as const)) {
        const t = timeRun(payloads, side === 'general' ? general : onePass);
        if (r >= 10) times[side].push(t);
      }
    }
    const med = (side: 'general' | 'onePass', k: number) => median(times[side].map((t) => t[k]));
    rows.push([
      `${program.label} (${language}, ${kb.toFixed(0)} KB of JSON)`,
      ...[1, 2, 3, 0].map((k) => `${fmtMs(med('general', k))} → ${fmtMs(med('onePass', k))}`),
      `${((med('onePass', 0) / med('general', 0) - 1) * 100).toFixed(0)}%`,
    ]);
  }
}
console.log(`### The frame path, server CPU per run (general → one-pass; medians of ${rounds} rounds)\n`);
console.log(table(['program', 'JSON.parse ms', 'check + compact ms', 'encode ms', 'total ms', 'change'], rows));
