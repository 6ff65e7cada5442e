/**
 * The runner path: a 50,000-step program's server wall time (`run.ended.wallMs`) and request → first step → `run.ended`,
 * against the tracer alone (bench/tracer's harness) and the server of an earlier tree, all measured in the same run.
 */
import { PROGRAMS } from '../tracer/programs.ts';
import { jobFor, ourSandbox, runJob, startReady } from '../tracer/harness.ts';
import { log, median, sleep } from '../lib/report.ts';
import { startServer, type Server } from '../lib/server.ts';
import { Student, within } from '../lib/student.ts';
import { ROOT } from './common.ts';

// bench/tracer's bubble sort of 200 numbers: 51,000 steps in Python.
const BUBBLE = PROGRAMS.find((p) => p.key === 'bubble')!;

export interface RunnerPath {
  steps: number;
  /** job sent → `end` frame, the tracer alone in a started sandbox. */
  tracerMs: number[];
  /** The server's `run.ended.wallMs` (run.started → the sandbox's exit). */
  wallMs: number[];
  /** The same, from the earlier tree's server (empty without one). */
  beforeWallMs: number[];
  /** Client side: request → first step, request → `run.ended`. */
  firstMs: number[];
  endedMs: number[];
}

/** `reps` rounds of the tracer alone, this tree's server and (with `beforeTree`) the earlier tree's, interleaved. */
export async function runnerPath(reps: number, beforeTree?: string): Promise<RunnerPath> {
  const out: RunnerPath = { steps: 0, tracerMs: [], wallMs: [], beforeWallMs: [], firstMs: [], endedMs: [] };
  const sandbox = ourSandbox(`bench-scale-tracer-${process.pid}`);
  const servers: Server[] = [];
  try {
    servers.push(await startServer(ROOT, {}));
    if (beforeTree) servers.push(await startServer(beforeTree, {}));
    const owners = await Promise.all(servers.map(warmOwner));
    for (let k = 0; k < reps; k++) {
      log(`  runner path: repetition ${k + 1} of ${reps}`);
      const proc = await startReady(sandbox, 'python');
      await sleep(500);
      const alone = await runJob(proc, jobFor(BUBBLE.code.python), { capMs: 60_000 });
      out.tracerMs.push(alone.ms);
      out.steps = alone.steps;
      // The servers' order alternates by round, so that neither always runs right after the other.
      for (const side of k % 2 === 0 ? [0, 1] : [1, 0]) {
        if (!owners[side]) continue;
        await sleep(1500);
        const t = await within(owners[side].execute('python', BUBBLE.code.python), 120_000, 'run');
        if (t.verdict !== 'ok') throw new Error(`the server's run ended ${t.verdict}`);
        (side === 0 ? out.wallMs : out.beforeWallMs).push(t.wallMs);
        if (side === 0) {
          out.firstMs.push(t.first);
          out.endedMs.push(t.end);
        }
      }
    }
    for (const owner of owners) owner.close();
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return out;
}

/** A connection to `server` whose warm container is its own, once the server's pools are full. */
async function warmOwner(server: Server): Promise<Student> {
  // The pool's first fill (a container start is ~0.5 s of the engine's CPU each, on the same 2 CPUs) would land on
  // the first runs: measure once it is done, as a server that has been up a while is.
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(500)) {
    const warm = await Promise.all(['python', 'javascript', 'cpp'].map((l) => server.metric(`tracecast_pool_warm{language="${l}"}`)));
    if (warm.every((w) => w >= 2)) break;
  }
  await sleep(3000);
  // The steps are not kept: a bench client is on the server's own 2 CPUs, where a learner's browser is not.
  const owner = await Student.connect(server.port, { keepFrames: false });
  // Unmeasured: the owner's first run takes a pool container (and its replacement starts); the next ones reuse it.
  for (let k = 0; k < 3; k++) {
    await within(owner.execute('python', BUBBLE.code.python), 120_000, 'warm-up run');
    await sleep(1500);
  }
  return owner;
}

export const ratio = (r: RunnerPath) => median(r.wallMs) / median(r.tracerMs);
