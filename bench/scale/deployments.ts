/** Runs per second through one gateway with one and two runner processes (and a single in-process server), and recovery times when a runner or a gateway is killed. */
import { nanoid } from 'nanoid';
import { log, sleep } from '../lib/report.ts';
import { startServer, type Server } from '../lib/server.ts';
import { Student, within } from '../lib/student.ts';
import { ROOT } from './common.ts';

const ONE_LINE = 'x = 1\n';
const OWNERS = 8;

/** The environment of a split deployment: one queue prefix, the suite's Redis and (when set) Postgres. */
function splitEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    TRACECAST_QUEUE_PREFIX: `tcbench-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, TRACECAST_STORE: 'postgres' } : { TRACECAST_STORE: 'memory' }),
    ...extra,
  };
}

async function stopAll(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

/** `OWNERS` connections, each with one one-line run in flight, for `ms`: ok runs per second. */
async function sustained(port: number, ms: number): Promise<{ runsPerSecond: number; runs: number; bad: number }> {
  const owners = await Promise.all(Array.from({ length: OWNERS }, () => Student.connect(port)));
  try {
    // One unmeasured run each: every owner gets its container.
    await Promise.all(owners.map((o) => within(o.execute('python', ONE_LINE), 120_000, 'warm-up run')));
    let runs = 0;
    let bad = 0;
    const t0 = performance.now();
    const deadline = t0 + ms;
    await Promise.all(
      owners.map(async (o) => {
        while (performance.now() < deadline) {
          const t = await within(o.execute('python', ONE_LINE), 120_000, 'run').catch(() => null);
          if (t?.verdict === 'ok') runs++;
          else bad++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { runsPerSecond: runs / seconds, runs, bad };
  } finally {
    for (const o of owners) o.close();
  }
}

export interface ThroughputRow {
  path: string;
  runsPerSecond: number;
  runs: number;
  bad: number;
}

export async function throughput(redisUrl: string | undefined, ms: number): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  log('runs/s: one server, in-process queue');
  const single = await startServer(ROOT, { TRACECAST_STORE: 'memory' });
  try {
    await sleep(5000);
    rows.push({ path: 'one server (role all), in-process queue', ...(await sustained(single.port, ms)) });
  } finally {
    await single.stop();
  }
  if (!redisUrl) return rows;
  for (const runners of [1, 2]) {
    log(`runs/s: gateway + ${runners} runner process(es), BullMQ`);
    const env = splitEnv(redisUrl);
    const servers: Server[] = [];
    try {
      for (let k = 0; k < runners; k++) servers.push(await startServer(ROOT, env, ['--role', 'runner']));
      const gateway = await startServer(ROOT, env, ['--role', 'gateway']);
      servers.push(gateway);
      await sleep(5000);
      rows.push({ path: `gateway + ${runners} runner process${runners > 1 ? 'es' : ''} (BullMQ)`, ...(await sustained(gateway.port, ms)) });
    } finally {
      await stopAll(servers);
    }
  }
  return rows;
}

const SLOW_COUNTER = 'import time\nfor i in range(100000):\n    print(i)\n    time.sleep(0.1)\n';

/** SIGKILL a runner mid-run: ms until its watcher gets `run.ended` (with the default lost time). */
export async function killedRunner(redisUrl: string): Promise<{ ms: number; verdict: string; message: string }> {
  const env = splitEnv(redisUrl);
  const servers: Server[] = [];
  try {
    const doomed = await startServer(ROOT, env, ['--role', 'runner']);
    servers.push(doomed);
    const gateway = await startServer(ROOT, env, ['--role', 'gateway']);
    servers.push(gateway);
    servers.push(await startServer(ROOT, env, ['--role', 'runner']));
    await sleep(5000);
    // Runs go to either runner: start runs until one is on the doomed runner (its /health counts it).
    const owner = await Student.connect(gateway.port);
    for (let k = 0; k < 10; k++) {
      const accepted = await owner.request({ type: 'execute', language: 'python', code: SLOW_COUNTER });
      const run = accepted.run as string;
      await within(waitFrame(owner, (f) => f.type === 'output' && f.run === run), 120_000, 'first output');
      if ((await doomed.health()).runsActive > 0) {
        const t0 = performance.now();
        doomed.child.kill('SIGKILL');
        const ended = await within(waitFrame(owner, (f) => f.type === 'run.ended' && f.run === run), 180_000, 'run.ended of the lost run');
        owner.close();
        return { ms: performance.now() - t0, verdict: ended.verdict, message: ended.error?.message ?? '' };
      }
    }
    throw new Error('no run landed on the runner to kill');
  } finally {
    await stopAll(servers);
  }
}

/** SIGKILL the gateway a watcher follows mid-run: ms until the watcher, reconnected to another gateway, gets the next frame. */
export async function killedGateway(redisUrl: string): Promise<{ ms: number; lost: number; doubled: number }> {
  const env = splitEnv(redisUrl);
  const servers: Server[] = [];
  try {
    servers.push(await startServer(ROOT, env, ['--role', 'runner']));
    const g1 = await startServer(ROOT, env, ['--role', 'gateway']);
    const g2 = await startServer(ROOT, env, ['--role', 'gateway']);
    servers.push(g1, g2);
    await sleep(5000);
    const owner = await Student.connect(g1.port);
    const accepted = await owner.request({ type: 'execute', language: 'python', code: SLOW_COUNTER });
    const run = accepted.run as string;
    await within(waitFrame(owner, (f) => f.type === 'output' && f.run === run && /^5\n?$/.test(f.text)), 120_000, 'a few lines');
    const seen = owner.frames.filter((x) => x.f.run === run && x.f.pos).map((x) => x.f);
    const last = seen[seen.length - 1].pos as string;
    const t0 = performance.now();
    g1.child.kill('SIGKILL');
    const watcher = await Student.connect(g2.port);
    const reply = await watcher.request({ type: 'subscribe', session: accepted.session, position: last });
    if (reply.type !== 'subscribed') throw new Error(`subscribe: ${JSON.stringify(reply)}`);
    await within(waitFrame(watcher, (f) => f.run === run && f.type === 'output'), 60_000, 'a frame after the resume');
    const ms = performance.now() - t0;
    // Let a few more lines come, then check the line numbers are consecutive across the two connections.
    await sleep(2000);
    const lines = [...seen, ...watcher.frames.map((x) => x.f).filter((f) => f.run === run)]
      .filter((f) => f.type === 'output')
      .map((f) => f.text as string)
      .join('')
      .split('\n')
      .filter(Boolean)
      .map(Number);
    let lost = 0;
    let doubled = 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === lines[i - 1]) doubled++;
      else if (lines[i] !== lines[i - 1] + 1) lost += lines[i] - lines[i - 1] - 1;
    }
    watcher.close();
    owner.close();
    return { ms, lost, doubled };
  } finally {
    await stopAll(servers);
  }
}

function waitFrame(s: Student, match: (f: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const check = () => {
      const hit = s.frames.find((x) => match(x.f));
      if (hit) return resolve(hit.f);
      setTimeout(check, 20);
    };
    check();
  });
}
