/**
 * Runs grade-mode jobs through the runtimes' grade harnesses without the runner:
 * Python in the sandbox base image (tracer-runtimes/python mounted at /opt/tracecast, driver
 * tests/support/grade-driver.py), JavaScript with `node` on the host (grade-driver.mjs).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const GRADE_IMAGE = process.env.TRACECAST_GRADE_IMAGE ?? 'tracecast/base:latest';

export interface GradeJob {
  mode: 'grade';
  code: string;
  entry: string;
  cases: { id: string; args: unknown[]; timeLimitMs?: number }[];
  maxOutputBytes?: number;
}
export interface CaseFrame {
  t: 'case';
  id: string;
  status: 'ok' | 'error' | 'timeout';
  ms: number;
  result: unknown;
  error?: { type: string; message: string; line: number };
}
export interface EndFrame {
  t: 'end';
  status: string;
  steps: number;
  error?: { type: string; message: string; line: number };
  peakRssKb: number;
}
export type GradeFrame = CaseFrame | EndFrame | { t: 'output'; stream: string; text: string; step: number } | { t: string };

export interface GradeRun {
  frames: GradeFrame[];
  cases: CaseFrame[];
  end: EndFrame | undefined;
}

export function decodeFrames(buf: Buffer): GradeFrame[] {
  const out: GradeFrame[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const n = buf.readUInt32BE(off);
    if (off + 4 + n > buf.length) throw new Error(`truncated frame at byte ${off}`);
    out.push(JSON.parse(buf.subarray(off + 4, off + 4 + n).toString('utf8')) as GradeFrame);
    off += 4 + n;
  }
  if (off !== buf.length) throw new Error(`${buf.length - off} trailing bytes after the last frame`);
  return out;
}

function toRun(frames: GradeFrame[]): GradeRun {
  return {
    frames,
    cases: frames.filter((f): f is CaseFrame => f.t === 'case'),
    end: frames.find((f): f is EndFrame => f.t === 'end'),
  };
}

function run(cmd: string, args: string[], input: string, timeoutMs: number): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} timed out after ${timeoutMs} ms`)); }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { if (err.length < 1 << 16) err += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ stdout: Buffer.concat(out), stderr: err, code }); });
    child.stdin.on('error', () => { /* the child may exit before reading everything */ });
    child.stdin.end(input);
  });
}

/** Runs the jobs one after the other in ONE container (the driver forks per job); one GradeRun per job. */
export async function gradePython(jobs: GradeJob[], timeoutMs = 120_000): Promise<GradeRun[]> {
  const { stdout, stderr, code } = await run('docker', [
    'run', '--rm', '-i', '--network', 'none', '--user', '10001',
    '-v', `${path.join(ROOT, 'tracer-runtimes/python')}:/opt/tracecast:ro`,
    '-v', `${path.join(ROOT, 'tests/support')}:/drv:ro`,
    GRADE_IMAGE, 'python3', '/drv/grade-driver.py',
  ], JSON.stringify(jobs), timeoutMs);
  if (code !== 0) throw new Error(`docker run exited with ${code}: ${stderr}`);
  const frames = decodeFrames(stdout);
  const runs: GradeRun[] = [];
  let cur: GradeFrame[] = [];
  for (const f of frames) {
    cur.push(f);
    if (f.t === 'end') { runs.push(toRun(cur)); cur = []; }
  }
  if (cur.length || runs.length !== jobs.length) {
    throw new Error(`expected ${jobs.length} jobs' frames, got ${runs.length} (+${cur.length} stray frames); stderr: ${stderr}`);
  }
  return runs;
}

/** Runs one job in a fresh `node` process on the host. */
export async function gradeJavaScript(job: GradeJob, timeoutMs = 60_000): Promise<GradeRun> {
  const { stdout, stderr, code } = await run(process.execPath, [path.join(ROOT, 'tests/support/grade-driver.mjs')], JSON.stringify(job) + '\n', timeoutMs);
  if (code !== 0) throw new Error(`node exited with ${code}: ${stderr}`);
  return toRun(decodeFrames(stdout));
}
