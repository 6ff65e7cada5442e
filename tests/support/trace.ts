/** Runs a tracer directly in its sandbox (no server) with a chosen job, e.g. the debug `full` mode. */
import assert from 'node:assert/strict';
import { imageTag } from '../../sandbox-images/images.ts';
import type { Language } from '../../protocol/index.ts';
import type { Step, TracerFrame } from '../../protocol/trace.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';
import { FrameReader } from '../../server/runner/frame-reader.ts';
import { DockerSandbox } from '../../server/sandbox/sandbox-docker.ts';

const sandbox = new DockerSandbox({ images: { python: imageTag('python'), javascript: imageTag('javascript') }, runnerId: 'test-trace-support' });

export const DEFAULT_JOB = { stdin: [] as string[], maxSteps: 1_000_000, maxOutputBytes: 1 << 20, maxItems: 100, maxString: 1000, keyframeEvery: 1000, full: false, batchSteps: 512 };

/** Returns every frame the tracer wrote, validated, in order. */
export async function traceInSandbox(language: Language, code: string, job: Partial<typeof DEFAULT_JOB> = {}): Promise<TracerFrame[]> {
  const proc = await sandbox.start(language, { memoryMb: 256, compileMemoryMb: 256, cpus: 1, pids: 64, tmpfsMb: 16 }, {});
  const frames: TracerFrame[] = [];
  try {
    const reader = new FrameReader(1 << 20, (p) => frames.push(parseTracerFrame(JSON.parse(p.toString('utf8')))));
    proc.onStdout((c) => reader.push(c));
    proc.send(JSON.stringify({ ...DEFAULT_JOB, ...job, code }) + '\n');
    // Debug `full` mode re-encodes the whole stack every step: a caught stack overflow (thousands of frames deep)
    // takes ~60 s under CI load. A hang still fails well inside the test runner's 300 s per test.
    const timer = setTimeout(() => void proc.kill(), 200_000);
    await proc.exited;
    clearTimeout(timer);
  } finally {
    await proc.dispose();
  }
  return frames;
}

/** The steps of every `steps` frame, in order. */
export const tracedSteps = (frames: TracerFrame[]): Step[] => frames.flatMap((f) => (f.t === 'steps' ? f.steps : []));

/** Everything the program printed, in order. */
export const tracedOutput = (frames: TracerFrame[]): string => frames.flatMap((f) => (f.t === 'output' ? [f.text] : [])).join('');

export type EndFrame = Extract<TracerFrame, { t: 'end' }>;

/** The run's `end` frame (asserted to be there). */
export function tracedEnd(frames: TracerFrame[]): EndFrame {
  const end = frames.find((f): f is EndFrame => f.t === 'end');
  assert.ok(end, 'the run ends with an end frame');
  return end;
}
