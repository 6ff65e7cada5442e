// The C++ runtime (tracer-runtimes/cpp) in its image, run with sandbox-docker.ts's flags plus the
// /sandbox exec tmpfs: end statuses, output attribution, and viz steps that replay under
// TraceState's invariant checks. Skipped when the cpp image is not built.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { imageTag } from '../../sandbox-images/images.ts';
import { TraceState } from '../../protocol/trace-state.ts';
import { StepsFrame, OutputFrame, type Step } from '../../protocol/trace.ts';
import { parseTracerFrame } from '../../protocol/trace-validate.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'dev/tracers/cpp/examples');
const IMAGE = imageTag('cpp');
const example = (name: string): string => readFileSync(path.join(EXAMPLES, `${name}.cpp`), 'utf8');

type Frame = Record<string, any>;

interface Run { frames: Frame[]; end: Frame | null }

function runJob(code: string, over: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<Run> {
  const name = `tc-cpp-test-${randomBytes(5).toString('hex')}`;
  const args = ['run', '--rm', '-i', '--name', name, '--network', 'none', '--read-only',
    '--tmpfs', '/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777',
    '--tmpfs', '/sandbox:rw,exec,nosuid,nodev,size=64m,mode=1777',
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--user', '10001:10001',
    '--memory', '256m', '--memory-swap', '256m', '--pids-limit', '64', '--cpus', '1',
    '--ulimit', 'core=0', IMAGE];
  const job = { code, stdin: [], maxSteps: 100000, maxOutputBytes: 65536, maxItems: 100, maxString: 1000,
    keyframeEvery: 1000, full: false, batchSteps: 512, ...over };
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = Buffer.alloc(0);
    const frames: Frame[] = [];
    const timer = setTimeout(() => spawnSync('docker', ['kill', name], { stdio: 'ignore' }), timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const n = buf.readUInt32BE(0);
        frames.push(JSON.parse(buf.subarray(4, 4 + n).toString('utf8')));
        buf = buf.subarray(4 + n);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const last = frames.at(-1);
      resolve({ frames, end: last?.t === 'end' ? last : null });
    });
    child.stdin.end(JSON.stringify(job) + '\n');
  });
}

const stepsOf = (r: Run): Step[] => r.frames.filter((f) => f.t === 'steps').flatMap((f) => f.steps as Step[]);
const stdoutOf = (r: Run): string => r.frames.filter((f) => f.t === 'output' && f.stream === 'stdout').map((f) => f.text).join('');

/** Every steps/output frame passes the protocol's schemas, and the steps replay with invariant checks. */
function assertReplays(r: Run): TraceState {
  for (const f of r.frames) {
    if (f.t === 'steps') StepsFrame.parse(f);
    if (f.t === 'output') OutputFrame.parse(f);
  }
  const ts = new TraceState({ verify: true, checkpointEvery: 16 });
  ts.apply(stepsOf(r));
  for (let i = 0; i < ts.length; i++) ts.at(i);
  return ts;
}

const haveImage = spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0;

describe('C++ runtime', { skip: haveImage ? false : `${IMAGE} is not built (node --import tsx sandbox-images/build.ts cpp)` }, () => {
  before(() => assert.ok(haveImage));

  test('hello: reads stdin, prints, ends ok with the program\'s peak RSS', async () => {
    const r = await runJob(example('hello'), { stdin: ['Ada'] });
    assert.equal(r.frames[0]?.t, 'hello');
    assert.equal(r.frames[0]?.lang, 'cpp');
    assert.equal(r.end?.status, 'ok', JSON.stringify(r.frames));
    assert.equal(stdoutOf(r), 'Hello, Ada!\n');
    assert.ok(r.end!.peakRssKb > 0 && r.end!.peakRssKb < 64 * 1024);
  });

  test('bubble sort: viz steps replay, text belongs to the step before it, full mode equals deltas', async () => {
    const r = await runJob(example('bubble_sort'));
    assert.equal(r.end?.status, 'ok', JSON.stringify(r.end));
    const ts = assertReplays(r);
    const steps = stepsOf(r);
    assert.equal(r.end!.steps, steps.length);
    assert.deepEqual(steps.slice(0, 2).map((s) => [s.fn, s.viz?.op]), [['main', 'note'], ['bubble_sort', 'array']]);
    assert.ok(steps.every((s) => s.ev === 'viz' && s.depth === 0));
    for (const o of r.frames.filter((f) => f.t === 'output' && f.text.startsWith('pass done'))) {
      assert.equal(steps[o.step]!.viz!.op, 'deselect', `output ${JSON.stringify(o)}`);
    }
    const full = await runJob(example('bubble_sort'), { full: true });
    const fsteps = stepsOf(full);
    assert.equal(fsteps.length, steps.length);
    for (let i = 0; i < steps.length; i++) {
      const snap = ts.at(i);
      assert.deepEqual({ stack: snap.stack, heap: [...snap.heap] }, { stack: fsteps[i]!.kf!.stack, heap: fsteps[i]!.kf!.heap });
    }
  });

  test('values: numbers, specials, truncation, nested containers as heap lists, function names', async () => {
    const r = await runJob(example('values'));
    assert.equal(r.end?.status, 'ok', JSON.stringify(r.end));
    const ts = assertReplays(r);
    const steps = stepsOf(r);
    const at = (label: string): number => steps.findIndex((s) => s.viz?.op === 'step' && s.viz.label === label);
    const data = (label: string): unknown => (steps[at(label)]!.viz as { data: unknown }).data;
    assert.deepEqual(data('big'), { sp: 'bigint', v: '9007199254740993' });
    assert.deepEqual(data('nan'), { sp: 'nan' });
    assert.deepEqual(data('long string'), { sp: 'str', v: 'a'.repeat(1000), len: 5000 });
    const grid = ts.at(at('grid'));
    const outer = grid.heap.get((data('grid') as { r: number }).r)!;
    assert.equal(outer.k, 'list');
    assert.equal(grid.step.fn, 'show');
    assert.equal(steps[at('in lambda')]!.fn, '<lambda>');
    const long = ts.at(at('long vector')).heap.get((data('long vector') as { r: number }).r)!;
    assert.deepEqual([long.k === 'list' && long.len, long.k === 'list' && long.items.length], [1000, 100]);
  });

  test('compile error: status compile_error with the first error\'s line', async () => {
    const r = await runJob(example('compile_error'));
    assert.equal(r.end?.status, 'compile_error');
    assert.equal(r.end!.error.type, 'CompileError');
    assert.deepEqual([r.end!.error.line, r.end!.error.column], [5, 16], JSON.stringify(r.end));
    assert.match(r.end!.error.message, /error:/);
  });

  test('crashes and exits: SIGSEGV, uncaught exception, exit status', async () => {
    const segv = await runJob(example('segfault'));
    assert.deepEqual([segv.end?.status, segv.end?.error.type, segv.end?.error.signal, segv.end?.error.line], ['error', 'Crash', 'SIGSEGV', null]);
    assert.match(stdoutOf(segv), /about to crash/);
    const abort = await runJob(example('uncaught'));
    assert.equal(abort.end?.error.signal, 'SIGABRT');
    assert.match(abort.end!.error.message, /std::out_of_range/);
    const exit = await runJob(example('exit_code'));
    assert.deepEqual(exit.end?.error, { type: 'Exit', message: 'exit status 3', line: null });
  });

  test('limits: maxSteps, maxOutputBytes, forged viz records', async () => {
    const loop = await runJob(example('viz_loop'), { maxSteps: 500 });
    assert.equal(loop.end?.status, 'step_limit');
    assert.equal(stepsOf(loop).length, 500);
    const flood = await runJob(example('output_flood'), { maxOutputBytes: 4096 });
    assert.equal(flood.end?.status, 'output_limit');
    assert.equal(Buffer.byteLength(stdoutOf(flood)), 4096);
    const forge = await runJob(example('forge'));
    assert.equal(forge.end?.error.type, 'VizChannelError');
    assert.equal(stepsOf(forge).length, 1);
  });

  test('bench mode: the built-in generators give JavaScript\'s inputs for the same seed; frames pass the schemas', async () => {
    // Each entry prints what it was handed (printing keeps the driver from batching calls: one print per repeat).
    const show = {
      ints: '#include <cstdio>\n#include <vector>\nvoid show(const std::vector<int>& v) { for (int x : v) std::printf("%d,", x); std::printf("\\n"); }\n',
      target: '#include <cstdio>\n#include <vector>\nvoid show(const std::vector<int>& v, int t) { for (int x : v) std::printf("%d,", x); std::printf("|%d\\n", t); }\n',
      string: '#include <cstdio>\n#include <string>\nvoid show(const std::string& s) { std::printf("%s\\n", s.c_str()); }\n',
    };
    type Gen = (n: number, rng: unknown) => unknown[];
    const js = (await import(path.join(ROOT, 'tracer-runtimes/javascript/generators.mjs'))) as { GENERATORS: Record<string, Gen>; makeRng(seed: number): unknown; sizeSeed(seed: number, n: number): number };
    const sizes = [1, 7, 40];
    const seed = -3;
    for (const [name, code] of [['random_ints', show.ints], ['sorted_ints', show.ints], ['reversed_ints', show.ints], ['string', show.string], ['sorted_target', show.target], ['two_sum', show.target]] as const) {
      const r = await runJob(code, { mode: 'bench', entry: 'show', generator: { kind: 'builtin', name, seed }, sizes, repeats: 1 });
      assert.equal(r.end?.status, 'ok', JSON.stringify(r.end));
      for (const f of r.frames) parseTracerFrame(f);
      assert.deepEqual(r.frames.filter((f) => f.t === 'bench.point').map((f) => [f.n, f.ops]), sizes.map((n) => [n, null]));
      const expected = sizes.map((n) => {
        const args = js.GENERATORS[name](n, js.makeRng(js.sizeSeed(seed, n)));
        if (name === 'string') return `${args[0]}\n`;
        const list = (args[0] as number[]).map((x) => `${x},`).join('');
        return args.length === 2 ? `${list}|${args[1]}\n` : `${list}\n`;
      });
      assert.equal(stdoutOf(r), expected.join(''), name);
    }
  });
});
