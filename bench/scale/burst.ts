/** The class burst: N students, one connection each, press Run on a six-number bubble sort at the same moment; with and without the class warmed ahead by `session.open`. */
import { log, sleep } from '../lib/report.ts';
import { startServer } from '../lib/server.ts';
import { Student, within, type RunTiming } from '../lib/student.ts';

export const BUBBLE6 = `a = [5, 2, 9, 1, 7, 3]
n = len(a)
for i in range(n):
    for j in range(n - 1 - i):
        if a[j] > a[j + 1]:
            a[j], a[j + 1] = a[j + 1], a[j]
print(a)
`;

export interface BurstResult {
  students: number;
  prewarm: boolean;
  /** `busy` (or any other refusal). */
  refused: number;
  /** Admitted runs whose verdict was not `ok`, or that got no `run.ended` in time. */
  failed: string[];
  first: number[];
  end: number[];
  /** Warm Python sandboxes when the class pressed Run, and how long warming took. */
  warmAtStart: number;
  warmingSeconds: number;
}

const RUN_LIMIT_MS = 180_000;
const warmGauge = 'tracecast_pool_warm{language="python"}';

async function untilWarm(server: { metric(n: string): Promise<number> }, want: number, maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs;
  let best = 0;
  let bestAt = Date.now();
  for (;;) {
    const warm = await server.metric(warmGauge);
    if (warm > best) {
      best = warm;
      bestAt = Date.now();
    }
    // Reached, or stuck for 30 s (the budget holds fewer), or out of time.
    if (warm >= want || Date.now() - bestAt > 30_000 || Date.now() > deadline) return warm;
    await sleep(250);
  }
}

export async function classBurst(tree: string, students: number, prewarm: boolean, env: Record<string, string> = {}): Promise<BurstResult> {
  const server = await startServer(tree, env);
  const result: BurstResult = { students, prewarm, refused: 0, failed: [], first: [], end: [], warmAtStart: 0, warmingSeconds: 0 };
  const clients: Student[] = [];
  try {
    await untilWarm(server, 2, 120_000);
    const instructor = await Student.connect(server.port);
    clients.push(instructor);
    if (prewarm) {
      const t0 = performance.now();
      const opened = await within(instructor.request({ type: 'session.open', title: 'class', students, language: 'python' }), 60_000, 'session.open');
      if (opened.type !== 'session.opened') throw new Error(`session.open: ${JSON.stringify(opened)}`);
      // Code before the change ignores `students` (no `warming` in the reply): nothing to wait for.
      if (opened.warming !== undefined) await untilWarm(server, opened.warming, 600_000);
      result.warmingSeconds = (performance.now() - t0) / 1000;
    }
    for (let k = 0; k < students; k += 25) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(25, students - k) }, () => Student.connect(server.port)))));
    }
    await sleep(2000);
    result.warmAtStart = await server.metric(warmGauge);
    log(`  ${students} students${prewarm ? ', pre-warmed' : ''}: ${result.warmAtStart} warm; Run`);
    const runs = clients.slice(1).map((c) => within(c.execute('python', BUBBLE6), RUN_LIMIT_MS, 'run'));
    const settled = await Promise.allSettled(runs);
    for (const s of settled) {
      if (s.status === 'rejected') {
        const err = s.reason as Error & { code?: string };
        if (err.code) result.refused++;
        else result.failed.push(err.message);
        continue;
      }
      const t: RunTiming = s.value;
      if (t.verdict !== 'ok') result.failed.push(t.verdict);
      result.first.push(t.first);
      result.end.push(t.end);
    }
    log(`  done: ${result.first.length} ran, ${result.refused} refused, ${result.failed.length} failed`);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
  return result;
}
