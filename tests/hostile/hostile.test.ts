/**
 * The hostile corpus (manifest.ts), every program at once, next to ordinary programs, through one
 * real server (the bundle, in a process of its own), real WebSockets and real containers. Checks, per run: the
 * expected verdict and effects, `run.ended` within the run's limit + a grace of `run.started`
 * (queueing excluded), no process of the run left on the host once `run.ended` is out, the
 * container gone once the run's owner (its connection) is, the server's secret in no frame,
 * well-formed frames. Then, for the whole batch: no container of this runner left but the warm
 * pool's idle ones, no host file written by the sandbox, no connection to the host, the server's
 * JS heap and buffers back near their post-warm-up size (RSS within 30% of it).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { loadavg, networkInterfaces } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { LANGUAGE_NAMES } from '../../protocol/languages.ts';
import { decodeServerFrame, TraceState, type HeapObj, type ServerFrame, type Step, type Value } from '../../protocol/index.ts';
import { containerGoneWithin, containersOf, hostProcessesWith, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';
import { MAX_STEPS, OUTPUT_BYTES, RUN_LIMIT_MS, SERVER_TIMEOUT_MS, TIMEOUT_MS, hostile, ordinary, type HostileCase, type HostileLanguage, type OrdinaryCase, type TextMatch } from './manifest.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.join(HERE, 'corpus');
const SANDBOX_UID = 10001;
const MARKER = 'tchostile';
/** Warm containers per language: the server's default. */
const POOL_SIZE = 2;
/** From the limit to `run.ended` (kill, clean-up, delivery): generous for a busy machine; a limit not enforced would hang to RUN_DEADLINE_MS. */
const GRACE_MS = 10_000;
/** The container of a run is removed within this long of its owner's connection closing. */
const OWNER_GONE_MS = 10_000;
/** Hard stop for one run, queueing included: far above anything legitimate, so a hang is a failure, not a stuck suite. */
const RUN_DEADLINE_MS = 150_000;

type RunEnded = Extract<ServerFrame, { type: 'run.ended' }>;

interface Outcome {
  label: string;
  language: string;
  limitMs: number;
  run?: string;
  refused?: { code: string; message: string };
  ended?: RunEnded;
  startedAt?: number;
  firstStepAt?: number;
  endedAt?: number;
  output: string;
  outputBytes: number;
  steps: number;
  stepProblems: string[];
  malformedText: number;
  /** Strings on the wire that are not valid UTF-8. */
  invalidUtf8: number;
  /** Bytes of all frames received (the in-memory session log holds the same frames). */
  frameBytes: number;
  secretSeen: boolean;
  /** Kept for ordinary runs only (their trace is checked). */
  stepList: Step[] | null;
  sandbox?: string | null;
  containerLeft?: boolean;
  survivors: string[];
  hung?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server process's resident set (VmRSS), in bytes. */
async function rssOf(pid: number): Promise<number> {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function matches(text: string, m: TextMatch): boolean {
  return typeof m === 'string' ? text.includes(m) : m.test(text);
}

// ---------------------------------------------------------------- wire bytes

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strings in a MessagePack message that are not valid UTF-8 (the protocol promises UTF-8 text;
 * a lenient decoder such as msgpackr's would hide them by substituting U+FFFD).
 */
function invalidUtf8Strings(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  let pending = 1;
  let bad = 0;
  const str = (len: number) => {
    try {
      strictUtf8.decode(b.subarray(p, p + len));
    } catch {
      bad++;
    }
    p += len;
  };
  while (pending > 0 && p < b.length) {
    pending--;
    const t = b[p++];
    if (t <= 0x7f || t >= 0xe0) continue;
    if (t <= 0x8f) pending += 2 * (t & 0x0f);
    else if (t <= 0x9f) pending += t & 0x0f;
    else if (t <= 0xbf) str(t & 0x1f);
    else
      switch (t) {
        case 0xc0: case 0xc2: case 0xc3: break;
        case 0xc4: p += 1 + b[p]; break;
        case 0xc5: p += 2 + view.getUint16(p); break;
        case 0xc6: p += 4 + view.getUint32(p); break;
        case 0xc7: p += 2 + b[p]; break;
        case 0xc8: p += 3 + view.getUint16(p); break;
        case 0xc9: p += 5 + view.getUint32(p); break;
        case 0xca: p += 4; break;
        case 0xcb: p += 8; break;
        case 0xcc: case 0xd0: p += 1; break;
        case 0xcd: case 0xd1: p += 2; break;
        case 0xce: case 0xd2: p += 4; break;
        case 0xcf: case 0xd3: p += 8; break;
        case 0xd4: p += 2; break;
        case 0xd5: p += 3; break;
        case 0xd6: p += 5; break;
        case 0xd7: p += 9; break;
        case 0xd8: p += 17; break;
        case 0xd9: p += 1; str(b[p - 1]); break;
        case 0xda: p += 2; str(view.getUint16(p - 2)); break;
        case 0xdb: p += 4; str(view.getUint32(p - 4)); break;
        case 0xdc: pending += view.getUint16(p); p += 2; break;
        case 0xdd: pending += view.getUint32(p); p += 4; break;
        case 0xde: pending += 2 * view.getUint16(p); p += 2; break;
        case 0xdf: pending += 2 * view.getUint32(p); p += 4; break;
        default: throw new Error(`not MessagePack: byte 0x${t.toString(16)} at ${p - 1}`);
      }
  }
  return bad;
}

// ---------------------------------------------------------------- host files

interface FileState {
  mtimeMs: number;
  size: number;
  uid: number;
  gid: number;
}

interface Root {
  dir: string;
  depth: number;
  skip?: RegExp;
}

// /tmp's bash_jobs.* / bash_tool_* belong to the machinery that runs these sessions: not ours to read.
const ROOTS: Root[] = [
  { dir: '/work/main', depth: 12, skip: /^(node_modules|\.git)$/ },
  { dir: '/tmp', depth: 6, skip: /^bash_(jobs|tool)/ },
  { dir: '/', depth: 1, skip: /^(proc|sys|dev)$/ },
  { dir: '/etc', depth: 3 },
  { dir: '/opt', depth: 4 },
  { dir: '/var/tmp', depth: 4 },
  { dir: '/usr/bin', depth: 1 },
  { dir: '/usr/lib', depth: 1 },
];

async function snapshot(roots: Root[]): Promise<Map<string, FileState>> {
  const out = new Map<string, FileState>();
  const walk = async (dir: string, depth: number, skip?: RegExp): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (skip?.test(name)) continue;
      const p = path.join(dir, name);
      try {
        const st = await lstat(p);
        out.set(p, { mtimeMs: st.mtimeMs, size: st.size, uid: st.uid, gid: st.gid });
        if (st.isDirectory() && depth > 1) await walk(p, depth - 1, skip);
      } catch {
        // vanished meanwhile
      }
    }
  };
  for (const r of roots) await walk(r.dir, r.depth, r.skip);
  return out;
}

function diff(before: Map<string, FileState>, afterSnap: Map<string, FileState>) {
  const changed: Array<{ path: string; kind: 'added' | 'modified' | 'removed'; state?: FileState }> = [];
  for (const [p, s] of afterSnap) {
    const b = before.get(p);
    if (!b) changed.push({ path: p, kind: 'added', state: s });
    else if (b.mtimeMs !== s.mtimeMs || b.size !== s.size || b.uid !== s.uid) changed.push({ path: p, kind: 'modified', state: s });
  }
  for (const p of before.keys()) if (!afterSnap.has(p)) changed.push({ path: p, kind: 'removed' });
  return changed;
}

// ---------------------------------------------------------------- one run

interface RunContext {
  server: TestServer;
  docker: Docker;
  secret: string;
}

function runSandboxId(server: TestServer, run: string): string | null | undefined {
  for (let i = server.logs.length - 1; i >= 0; i--) {
    const line = server.logs[i];
    if (!line.includes(run) || !line.includes('"run ended"')) continue;
    const rec = JSON.parse(line) as { msg: string; run: string; sandbox?: string | null };
    if (rec.msg === 'run ended' && rec.run === run) return rec.sandbox ?? null;
  }
  return undefined;
}

async function execute(
  ctx: RunContext,
  o: Outcome,
  language: string,
  code: string,
  extra: Record<string, unknown>,
  survivorsMarkers: string[] = [],
): Promise<Outcome> {
  const client = await TestClient.connect(ctx.server.url);
  const id = `h-${randomBytes(6).toString('hex')}`;
  const secret = Buffer.from(ctx.secret);
  let next = 0;
  const finished = new Promise<void>((resolve) => {
    // One connection per run: its own session, so every frame it gets belongs to this run.
    client.ws.on('message', (data: Buffer) => {
      const now = performance.now();
      o.frameBytes += data.length;
      if (data.includes(secret)) o.secretSeen = true;
      o.invalidUtf8 += invalidUtf8Strings(data);
      const f = decodeServerFrame(data);
      switch (f.type) {
        case 'accepted':
          if (f.id === id) o.run = f.run;
          return;
        case 'error':
          if (f.id === id) {
            o.refused = { code: f.code, message: f.message };
            resolve();
          }
          return;
        case 'run.started':
          o.startedAt = now;
          return;
        case 'steps':
          o.firstStepAt ??= now;
          for (const s of f.steps) {
            if (s.i !== next && o.stepProblems.length < 5) o.stepProblems.push(`step ${s.i} where ${next} was due`);
            next = s.i + 1;
            o.steps++;
          }
          if (o.stepList) o.stepList.push(...f.steps);
          return;
        case 'output': {
          const wellFormed = (f.text as unknown as { isWellFormed(): boolean }).isWellFormed();
          if (!wellFormed) o.malformedText++;
          o.outputBytes += Buffer.byteLength(f.text);
          if (o.output.length < 2 * OUTPUT_BYTES) o.output += f.text;
          return;
        }
        case 'run.ended':
          o.ended = f;
          o.endedAt = now;
          resolve();
          return;
        default:
          return;
      }
    });
    client.ws.on('close', () => resolve());
  });
  client.send({ type: 'execute', id, language, code, ...extra });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      o.hung = true;
      resolve();
    }, RUN_DEADLINE_MS);
  });
  await Promise.race([finished, deadline]);
  clearTimeout(timer);
  if (o.ended && o.run) {
    // The runner logs 'run ended' (with the container id) right after the frame; the log comes through a pipe.
    for (let i = 0; i < 600 && (o.sandbox = runSandboxId(ctx.server, o.run)) === undefined; i++) await sleep(50);
    o.survivors = await hostProcessesWith(survivorsMarkers);
  }
  client.close();
  // A run that ended by itself leaves its container to its owner (TRACECAST_REUSE) until the owner's
  // connection closes; then it goes, like every other run's.
  if (o.sandbox) o.containerLeft = !(await containerGoneWithin(o.sandbox, OWNER_GONE_MS));
  return o;
}

function newOutcome(label: string, language: string, limitMs: number, keepSteps: boolean): Outcome {
  return {
    label, language, limitMs, output: '', outputBytes: 0, steps: 0, stepProblems: [], malformedText: 0, invalidUtf8: 0, frameBytes: 0,
    secretSeen: false, stepList: keepSteps ? [] : null, survivors: [],
  };
}

// ---------------------------------------------------------------- trace values

function plain(v: Value, heap: ReadonlyMap<number, HeapObj>, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  if ('r' in v) {
    const obj = heap.get(v.r);
    if (!obj || depth > 5) return { missing: v.r };
    if (obj.k === 'list' || obj.k === 'tuple') return obj.items.map((x) => plain(x, heap, depth + 1));
    return obj;
  }
  return v;
}

// ---------------------------------------------------------------- the test

const timeLimit = (c: HostileCase) => c.limits?.timeoutMs ?? (c.verdict === 'timeout' ? TIMEOUT_MS[c.language] : RUN_LIMIT_MS);

describe('hostile corpus, in parallel with ordinary programs', () => {
  let server: TestServer;
  let ctx: RunContext;
  let listener: Server;
  const hostConnections: string[] = [];
  let hostPort = 0;
  let hostAddresses: string[] = [];
  let filesBefore: Map<string, FileState>;
  const rss = { start: 0, baseline: 0, baselineMem: null as NodeJS.MemoryUsage | null, peak: 0, final: 0, detail: '' };
  let rssTimer: NodeJS.Timeout | undefined;
  const hostileRuns = new Map<HostileCase, Promise<Outcome>>();
  const ordinaryRuns = new Map<OrdinaryCase, Promise<Outcome>>();
  const table: string[] = [];
  let allDone: Promise<unknown>;

  before(async () => {
    const secret = `tcsecret-${randomBytes(12).toString('hex')}`;
    listener = createServer((s) => {
      hostConnections.push(`${s.remoteAddress}:${s.remotePort}`);
      s.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '::', resolve));
    hostPort = (listener.address() as { port: number }).port;
    hostAddresses = Object.values(networkInterfaces()).flat().flatMap((i) => (i && i.family === 'IPv4' ? [i.address] : []));

    filesBefore = await snapshot(ROOTS);
    server = await startTestServer({
      inspect: true,
      // With REDIS_URL (as `npm test` sets it) the session log lives in Redis, so the RSS check below
      // measures the server alone; without it, the in-memory log keeps every frame (see that check).
      redis: Boolean(process.env.REDIS_URL),
      env: {
        // The server's cap; each run asks for its own limit.
        TRACECAST_TIMEOUT_MS: String(SERVER_TIMEOUT_MS),
        TRACECAST_MAX_CONCURRENT_RUNS: '4',
        TRACECAST_MAX_QUEUED_RUNS: '500',
        TRACECAST_OUTPUT_BYTES: String(OUTPUT_BYTES),
        TRACECAST_MAX_STEPS: String(MAX_STEPS),
        TRACECAST_POOL_SIZE: String(POOL_SIZE),
        // The pool grows for the burst; idle this long after it, it is back to POOL_SIZE.
        TRACECAST_POOL_IDLE_MS: '3000',
        // In the server's environment: no program may read it (the sandbox gets none of it).
        TRACECAST_TEST_SECRET: secret,
      },
    });
    ctx = { server, docker: new Docker(), secret };
    rss.start = (await server.memory()).rss;

    // Warm-up, all at once (the queue runs 4): the ordinary path of each language, output floods, a step cap, a runtime
    // error: code paths compiled, buffers and pools grown, before the baseline is taken.
    const py = ordinary.find((o) => o.language === 'python')!;
    const js = ordinary.find((o) => o.language === 'javascript')!;
    const warmups: Array<[string, string, string, Record<string, unknown>]> = [
      ['python', py.code, 'ok', { stdin: py.stdin ?? [] }],
      ['javascript', js.code, 'ok', {}],
      ['python', 'while True:\n    print("warm" * 50)\n', 'output_limit', {}],
      ['javascript', 'let n = 0;\nwhile (true) n++;\n', 'step_limit', { limits: { maxSteps: 500 } }],
      ['python', 'x = 1\nraise ValueError(x)\n', 'runtime_error', {}],
      ['javascript', 'for (let i = 0; i < 3000; i++) console.error("warm".repeat(20), i);\n', 'output_limit', {}],
      ['cpp', '#include <cstdio>\nint main() { puts("warm"); }\n', 'ok', {}],
    ];
    await Promise.all(
      warmups.map(async ([lang, code, verdict, extra]) => {
        const limits = { timeoutMs: RUN_LIMIT_MS, ...((extra.limits as object) ?? {}) };
        const o = await execute(ctx, newOutcome(`warm-up ${lang}`, lang, limits.timeoutMs, false), lang, code, { ...extra, limits });
        const hint = o.refused?.code === 'unsupported_language' ? ' (build the images: node --import tsx sandbox-images/build.ts all)' : '';
        assert.equal(o.ended?.verdict, verdict, `warm-up run (${lang}): ${JSON.stringify(o.refused ?? o.ended)}${hint}`);
      }),
    );
    await sleep(3000);
    rss.baselineMem = await server.memory();
    rss.baseline = rss.baselineMem.rss;
    rss.peak = rss.baseline;
    rssTimer = setInterval(() => void rssOf(server.pid).then((n) => (rss.peak = Math.max(rss.peak, n)), () => {}), 250);

    // Everything at once. The queue admits 4 at a time in submission order: languages take turns (so
    // no language's warm pool is drained in one burst) and the ordinary programs are spread among them.
    const fill = (code: string) => code.replaceAll('__HOST_PORT__', String(hostPort)).replaceAll('__HOST_ADDRESSES__', JSON.stringify(hostAddresses));
    const queues = LANGUAGE_NAMES.map((lang) => hostile.filter((c) => c.language === lang));
    const order: HostileCase[] = [];
    while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) order.push(q.shift()!);
    const every = Math.max(1, Math.floor(order.length / ordinary.length));
    const startOrdinary = (o: OrdinaryCase) =>
      ordinaryRuns.set(o, execute(ctx, newOutcome(o.name, o.language, RUN_LIMIT_MS, true), o.language, o.code, { stdin: o.stdin ?? [], limits: { timeoutMs: RUN_LIMIT_MS } }));
    let k = 0;
    order.forEach((c, i) => {
      const code = readFileSync(path.join(CORPUS, c.file), 'utf8');
      const limits = { timeoutMs: timeLimit(c), ...(c.limits?.maxSteps ? { maxSteps: c.limits.maxSteps } : {}) };
      hostileRuns.set(c, execute(ctx, newOutcome(c.file, c.language, limits.timeoutMs, false), c.language, c.hostListener ? fill(code) : code, { limits }, c.survivors));
      if (i % every === every - 1 && k < ordinary.length) startOrdinary(ordinary[k++]);
    });
    for (const o of ordinary.slice(k)) startOrdinary(o);
    allDone = Promise.allSettled([...hostileRuns.values(), ...ordinaryRuns.values()]);
  });

  after(async () => {
    clearInterval(rssTimer);
    listener?.close();
    if (table.length > 0) {
      console.log(['', 'program | expected | got | run.started → run.ended', '---|---|---|---', ...table].join('\n'));
      console.log(`server RSS: start ${mb(rss.start)}, baseline after warm-up ${mb(rss.baseline)}, peak ${mb(rss.peak)}, final ${mb(rss.final)}; ${rss.detail}`);
      console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores: timings above depend on it)`);
    }
    await server?.close();
  });

  /** The server's log lines about a run (why an internal_error, which container). */
  const runLog = (o: Outcome) => (o.run ? server.logs.filter((l) => l.includes(o.run!)).map((l) => l.slice(0, 400)).join(' | ') : '');

  /** Checks common to every run. */
  function checkRun(o: Outcome): void {
    assert.ok(!o.hung, `${o.label}: no run.ended within ${RUN_DEADLINE_MS} ms of submitting it`);
    assert.ok(!o.refused, `${o.label}: execute refused: ${JSON.stringify(o.refused)}`);
    assert.ok(o.ended && o.startedAt !== undefined && o.endedAt !== undefined, `${o.label}: missing run.started or run.ended`);
    const took = o.endedAt! - o.startedAt!;
    assert.ok(took <= o.limitMs + GRACE_MS, `${o.label}: run.ended ${Math.round(took)} ms after run.started (limit ${o.limitMs} ms + ${GRACE_MS} ms); verdict ${o.ended!.verdict}`);
    assert.ok(o.sandbox, `${o.label}: the runner logged no container for the run`);
    assert.equal(o.containerLeft, false, `${o.label}: container ${o.sandbox} still exists ${OWNER_GONE_MS} ms after its owner's connection closed`);
    assert.deepEqual(o.survivors, [], `${o.label}: processes of the run still alive on the host after run.ended`);
    assert.equal(o.secretSeen, false, `${o.label}: the server's secret environment variable appeared in a frame`);
    assert.deepEqual(o.stepProblems, [], `${o.label}: steps out of sequence`);
    assert.equal(o.ended!.steps, o.steps, `${o.label}: run.ended.steps ${o.ended!.steps} but ${o.steps} steps delivered`);
    assert.equal(o.invalidUtf8, 0, `${o.label}: ${o.invalidUtf8} string(s) on the wire are not valid UTF-8`);
    assert.equal(o.malformedText, 0, `${o.label}: output text with lone surrogates`);
    assert.ok(o.outputBytes <= OUTPUT_BYTES, `${o.label}: ${o.outputBytes} bytes of output over the ${OUTPUT_BYTES} cap`);
  }

  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const took = (o: Outcome) => {
    if (o.startedAt === undefined || o.endedAt === undefined) return 'n/a';
    const first = o.firstStepAt !== undefined ? `first step +${Math.round(o.firstStepAt - o.startedAt)}` : 'no step';
    return `${Math.round(o.endedAt - o.startedAt)} ms (${first}, limit ${o.limitMs})`;
  };

  for (const c of hostile) {
    it(`${c.file}: ${c.attack} → ${c.verdict}`, async (t: TestContext) => {
      const o = await hostileRuns.get(c)!;
      const got = o.ended ? o.ended.verdict + (o.ended.error ? ` (${o.ended.error.type}${o.ended.error.signal ? ' ' + o.ended.error.signal : ''})` : '') : o.refused ? `refused ${o.refused.code}` : 'no end';
      table.push(`${c.file} | ${c.verdict} | ${got}${got.startsWith(c.verdict) ? '' : ' ✗'} | ${took(o)}`);
      t.diagnostic(`expected ${c.verdict}, got ${got} in ${took(o)}`);
      if (c.finding) t.diagnostic(`known finding: ${c.finding}`);
      assert.equal(o.ended?.verdict, c.verdict, `${c.file}: verdict ${o.ended?.verdict} (error ${JSON.stringify(o.ended?.error ?? o.refused ?? null)}), expected ${c.verdict}; output: ${o.output.slice(0, 300)}; runner log: ${runLog(o)}`);
      checkRun(o);
      if (c.error?.type) assert.equal(o.ended!.error?.type, c.error.type, `${c.file}: error ${JSON.stringify(o.ended!.error)}`);
      if (c.error?.message) assert.match(o.ended!.error?.message ?? '', c.error.message);
      if (c.error?.signal) assert.equal(o.ended!.error?.signal, c.error.signal);
      for (const m of c.output?.includes ?? []) assert.ok(matches(o.output, m), `${c.file}: output lacks ${String(m)}: ${o.output.slice(0, 500)}`);
      for (const m of c.output?.excludes ?? []) assert.ok(!matches(o.output, m), `${c.file}: output has ${String(m)}: ${o.output.slice(0, 500)}`);
      if (c.minOutputBytes) assert.ok(o.outputBytes >= c.minOutputBytes, `${c.file}: only ${o.outputBytes} bytes delivered before the cap`);
      if (c.verdict === 'step_limit') assert.equal(o.ended!.steps, c.limits?.maxSteps ?? MAX_STEPS);
    });
  }

  for (const c of ordinary) {
    it(`ordinary: ${c.name}`, async (t: TestContext) => {
      const o = await ordinaryRuns.get(c)!;
      table.push(`(ordinary) ${c.name} | ok | ${o.ended?.verdict ?? o.refused?.code ?? 'no end'} | ${took(o)}`);
      t.diagnostic(`got ${o.ended?.verdict} in ${took(o)}`);
      assert.equal(o.ended?.verdict, 'ok', `${c.name}: ${JSON.stringify(o.ended ?? o.refused)}; runner log: ${runLog(o)}`);
      checkRun(o);
      assert.equal(o.output, c.stdout);
      if (c.finalVars) {
        const state = new TraceState({ verify: true }).apply(o.stepList!);
        const snap = state.at(state.length - 1);
        const vars = new Map(snap.stack[0].vars);
        for (const [name, want] of Object.entries(c.finalVars)) {
          assert.ok(vars.has(name), `${c.name}: no variable ${name} at the last step`);
          assert.deepEqual(plain(vars.get(name)!, snap.heap), want, `${c.name}: ${name}`);
        }
      }
    });
  }

  it('every corpus file has a manifest entry and every entry a file', async () => {
    const files = (await Promise.all(LANGUAGE_NAMES.map(async (d) => (await readdir(path.join(CORPUS, d))).map((f) => `${d}/${f}`)))).flat().sort();
    assert.deepEqual(files, hostile.map((c) => c.file).sort());
  });

  it('no container of this runner is left but the warm pool\'s idle ones, back to its base size', async () => {
    await allDone;
    const used = new Set<string>();
    for (const line of server.logs) {
      if (!line.includes('"run ended"')) continue;
      const rec = JSON.parse(line) as { msg: string; sandbox?: string | null };
      if (rec.msg === 'run ended' && rec.sandbox) used.add(rec.sandbox);
    }
    // The pool grew for this burst; idle, it shrinks back to its base (TRACECAST_POOL_IDLE_MS below) and its refills settle.
    const languages = 3;
    let left = await containersOf(server.runnerId);
    for (const until = Date.now() + 120_000; left.length > POOL_SIZE * languages && Date.now() < until; left = await containersOf(server.runnerId)) await sleep(500);
    const reused = left.filter((c) => used.has(c.Id));
    assert.deepEqual(reused.map((c) => c.Id), [], 'containers that ran a program still exist');
    const strays = left.filter((c) => c.Labels['tracecast.pool'] !== '1');
    assert.deepEqual(strays.map((c) => `${c.Id.slice(0, 12)} ${JSON.stringify(c.Labels)}`), [], 'containers that are not warm-pool ones');
    assert.ok(left.length <= POOL_SIZE * languages, `${left.length} containers left 120 s after the batch; the idle warm pool holds at most ${POOL_SIZE * languages}`);
    for (const id of used) {
      await assert.rejects(ctx.docker.getContainer(id).inspect(), (err: { statusCode?: number }) => err.statusCode === 404, `container ${id} of a finished run still exists`);
    }
  });

  it('no process of any run is left on the host', async () => {
    await allDone;
    const markers = hostile.flatMap((c) => c.survivors ?? []);
    assert.deepEqual(await hostProcessesWith(markers), []);
  });

  it('no connection reached the host listener', async () => {
    await allDone;
    assert.deepEqual(hostConnections, []);
  });

  it('no host file was written by the sandbox', async (t: TestContext) => {
    await allDone;
    const changes = diff(filesBefore, await snapshot(ROOTS));
    // The sandbox runs as uid 10001 and every file-writing program names its files with MARKER: anything
    // it could have written on the host carries one or the other. Other changes (root-owned) are other
    // people's work on this shared machine (editors, builds, benchmarks): listed, not failed on.
    const bySandbox = changes.filter((c) => c.path.includes(MARKER) || c.state?.uid === SANDBOX_UID || c.state?.gid === SANDBOX_UID);
    const others = changes.filter((c) => !bySandbox.includes(c));
    if (others.length > 0) t.diagnostic(`${others.length} host file changes by others during the run, e.g. ${others.slice(0, 5).map((c) => `${c.kind} ${c.path}`).join(', ')}`);
    assert.deepEqual(bySandbox.map((c) => `${c.kind} ${c.path} uid=${c.state?.uid}`), []);
    for (const p of ['/tchostile', '/etc/tchostile', '/etc/tchostile-dir', '/opt/tracecast/tchostile', '/usr/bin/tchostile', '/usr/lib/tchostile', '/var/tchostile', '/root/tchostile']) {
      await assert.rejects(lstat(p), { code: 'ENOENT' }, `${p} exists on the host`);
    }
  });

  it('the server\'s JS heap and buffers are back near their post-warm-up size, and its RSS within 30% of it', async (t: TestContext) => {
    await allDone;
    // Every client is closed. The baseline is taken after a warm-up batch (code compiled, pools and
    // buffers grown: RSS right after start-up is higher still, start-up garbage not yet collected), both
    // after a forced GC. With REDIS_URL the sessions' frames live in Redis and the comparison is the
    // server alone; with the in-memory log they stay here by design (replayable sessions): a few MB.
    await sleep(3000);
    const mem = await server.memory();
    rss.final = mem.rss;
    const outcomes = await Promise.all([...hostileRuns.values(), ...ordinaryRuns.values()]);
    const logged = outcomes.reduce((n, o) => n + o.frameBytes, 0);
    const b = rss.baselineMem!;
    const where = process.env.REDIS_URL ? 'in Redis, not in the server' : 'kept in the server by the in-memory session log';
    rss.detail = `heap used ${mb(mem.heapUsed)} (baseline ${mb(b.heapUsed)}), external ${mb(mem.external)} (${mb(b.external)}), array buffers ${mb(mem.arrayBuffers)} (${mb(b.arrayBuffers)}); the runs' frames, ~${mb(logged)}, are ${where}`;
    t.diagnostic(`RSS start ${mb(rss.start)}, baseline ${mb(rss.baseline)}, peak ${mb(rss.peak)}, final ${mb(rss.final)} (each after a full GC but the peak); ${rss.detail}`);
    // A leak is looked for where it would show: in what the JS heap and buffers still hold (below). RSS is the server
    // process's own since the server runs apart from the test (before, the test runner's ~100 MB were in it too): after
    // a batch it also holds what the allocator keeps from the peak and code compiled for paths the warm-up did not take
    // (+15-25% over the post-warm-up figure in this suite's runs), so its bound is looser: a gross leak, not drift.
    assert.ok(rss.final <= Math.max(rss.start, rss.baseline) * 1.3, `RSS ${mb(rss.final)} is more than 30% above the post-warm-up ${mb(rss.baseline)} (start ${mb(rss.start)}, peak ${mb(rss.peak)})`);
    const held = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
    assert.ok(held(mem) <= held(b) * 1.1 + 4 * 2 ** 20, `heap used + external ${mb(held(mem))} is more than 10% (+4 MB) above the post-warm-up ${mb(held(b))}`);
  });
});
