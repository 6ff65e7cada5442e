/**
 * The JavaScript instrumenter (tracer-runtimes/javascript/instrument.mjs) over programs nobody wrote for it:
 *
 * - every script of test262-parser-tests' `pass/` and `pass-explicit/` that acorn accepts must come out as code V8
 *   compiles (or be refused with one of the tracer's documented restrictions: `with`, `import()`, `$__` names);
 * - programs from eslump's random generator (seeded) likewise, and a sample of them, run by the real tracer
 *   (tracer.mjs, a child process, no Docker) and untraced in an equally made context, must print the same text and
 *   end the same way.
 *
 * A learner's program must never meet an error of the tracer's own making: an instrumenter that emits invalid code
 * gives a valid program `TracerError: instrumentation produced invalid code`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import util from 'node:util';
import vm from 'node:vm';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JS = path.join(ROOT, 'tracer-runtimes/javascript');
const require = createRequire(path.join(ROOT, 'package.json'));
const acorn = await import(path.join(JS, 'vendor/acorn.mjs'));
const { instrument } = await import(path.join(JS, 'instrument.mjs'));
const { wrapInstrumented } = await import(path.join(JS, 'program.mjs'));
const { generateRandomJS } = require('eslump') as { generateRandomJS: (o: object) => string };

// programs run traced and untraced (more by hand: TRACECAST_DIFF_RUNS=200)
const RUNS = Number(process.env.TRACECAST_DIFF_RUNS) || 24;
const RESTRICTIONS = [/^'with' statements are not supported/, /^import\(\) is not available/, /is reserved by the tracer$/];
const KNOWN_GLOBALS = new Set(Object.getOwnPropertyNames(vm.runInNewContext('globalThis')));

const acornAccepts = (src: string): boolean => {
  try { acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true }); return true; } catch { return false; }
};
const compiles = (code: string): string | null => {
  try { new vm.Script(code); return null; } catch (e) { return (e as Error).message; }
};

/** Why the instrumented `src` is not acceptable, or null: it compiles, is refused for a documented reason, or the
 * program itself does not compile (early errors acorn does not report: the tracer says SyntaxError for those). */
function instrumentFault(src: string): string | null {
  const code = src.startsWith('#!') ? '//' + src.slice(2) : src;
  let res;
  try { res = instrument(code, { knownGlobals: KNOWN_GLOBALS }); } catch (e) { return `instrument threw: ${(e as Error).message}`; }
  if (res.error) return RESTRICTIONS.some((r) => r.test(res.error.message)) ? null : `refused: ${res.error.message}`;
  const err = compiles(wrapInstrumented(res));
  if (err === null || compiles('(function(){' + code + '\n})') !== null) return null;
  return `invalid instrumented code: ${err}`;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** eslump's program for `seed` (it draws from Math.random, swapped for a seeded generator meanwhile). */
function randomProgram(seed: number, maxDepth: number): string {
  const real = Math.random;
  Math.random = mulberry32(seed);
  try {
    return generateRandomJS({ sourceType: 'script', maxDepth, comments: seed % 2 === 0, whitespace: seed % 3 === 0 });
  } finally { Math.random = real; }
}

/** end: 'ok' or the thrown value's type (an Error's name, a primitive's type as the tracer names it, '<object>' for
 * other objects, which the tracer names by their class) and message */
interface Outcome { out: string; end: string; message?: string }

/** The program untraced: in a context made as tracer.mjs makes its own, inside a function as the tracer runs it. */
async function runUntraced(src: string): Promise<Outcome | null> {
  const ctx = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
  let out = '';
  const fmt = (a: unknown[]) => util.formatWithOptions({ customInspect: false, showProxy: false, getters: false, colors: false, depth: 2 }, ...a);
  const G = vm.runInContext('globalThis', ctx);
  // not enumerable, as the tracer's globals: `for (k in this)` sees the same
  Object.defineProperty(G, 'console', { value: { log: (...a: unknown[]) => { out += fmt(a) + '\n'; }, error: (...a: unknown[]) => { out += fmt(a) + '\n'; } }, writable: true, configurable: true, enumerable: false });
  try {
    new vm.Script('(function(){' + src + '\n}).call(globalThis)').runInContext(ctx, { timeout: 300 });
    await new Promise((r) => setImmediate(r));
    return { out, end: 'ok' };
  } catch (e) {
    if (e !== null && typeof e === 'object' && /^Script execution timed out/.test(String((e as Error).message))) return null;
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) {
      return { out, end: `error ${typeof e === 'object' ? 'Object' : (typeof e)[0].toUpperCase() + (typeof e).slice(1)}` };
    }
    const name = (e as Error).name;
    if (typeof name !== 'string' || !name || typeof (e as Error).message !== 'string') return { out, end: 'error <object>' };
    return { out, end: `error ${name}`, message: (e as Error).message };
  }
}

/** The program through tracer.mjs: its output frames and how it ended; null when it did not end within the limits. */
function runTraced(src: string): Promise<Outcome | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(JS, 'tracer.mjs')], { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 20_000);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const buf = Buffer.concat(chunks);
      let out = '';
      let end: { status: string; error?: { type: string; message: string } } | null = null;
      for (let pos = 0; pos + 4 <= buf.length;) {
        const n = buf.readUInt32BE(pos);
        const fr = JSON.parse(buf.subarray(pos + 4, pos + 4 + n).toString('utf8'));
        pos += 4 + n;
        if (fr.t === 'output') out += fr.text;
        if (fr.t === 'end') end = fr;
      }
      if (end === null || (end.status !== 'ok' && end.status !== 'error')) { resolve(null); return; }
      resolve(end.status === 'ok' ? { out, end: 'ok' } : { out, end: `error ${end.error!.type}`, message: end.error!.message });
    });
    child.stdin.end(JSON.stringify({ code: src, stdin: [], maxSteps: 200_000, maxOutputBytes: 65536, maxItems: 20, maxString: 200, keyframeEvery: 1000, full: false, batchSteps: 512 }) + '\n');
  });
}

describe('javascript instrumenter: differential', () => {
  it('instruments every script of test262-parser-tests that acorn accepts into code that compiles', () => {
    const base = path.dirname(require.resolve('test262-parser-tests/package.json'));
    const faults: string[] = [];
    let n = 0;
    for (const dir of ['pass', 'pass-explicit']) {
      for (const f of readdirSync(path.join(base, dir))) {
        if (f.includes('.module.')) continue;
        const src = readFileSync(path.join(base, dir, f), 'utf8');
        if (!acornAccepts(src)) continue;
        n++;
        const fault = instrumentFault(src);
        if (fault) faults.push(`${dir}/${f}: ${fault}\n${src.slice(0, 300)}`);
      }
    }
    assert.ok(n > 3000, `${n} programs`);
    assert.deepEqual(faults, []);
  });

  it('instruments eslump\'s random programs into code that compiles', () => {
    const faults: string[] = [];
    let n = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const src = randomProgram(seed, 6);
      if (!acornAccepts(src)) continue;
      n++;
      const fault = instrumentFault(src);
      if (fault) faults.push(`seed ${seed}: ${fault}\n${src.slice(0, 300)}`);
    }
    assert.ok(n > 500, `${n} programs`);
    assert.deepEqual(faults, []);
  });

  it('runs random programs traced as they run untraced: the same output, the same end', async () => {
    const cases: { seed: number; src: string; untraced: Outcome }[] = [];
    for (let seed = 1; cases.length < RUNS && seed < 50 * RUNS; seed++) {
      const src = randomProgram(seed, 4);
      if (!acornAccepts(src) || instrumentFault(src) !== null) continue;
      if (instrument(src, { knownGlobals: KNOWN_GLOBALS }).error) continue;
      const untraced = await runUntraced(src);
      if (untraced !== null) cases.push({ seed, src, untraced });
    }
    const diffs: string[] = [];
    let compared = 0;
    const leaks: string[] = [];
    for (let k = 0; k < cases.length; k += 2) {
      const traced = await Promise.all(cases.slice(k, k + 2).map((c) => runTraced(c.src)));
      traced.forEach((t, j) => {
        const c = cases[k + j];
        if (t === null) return; // stopped by a limit (steps, time): nothing to compare
        compared++;
        const u = c.untraced;
        // V8 names a callee that is not a function by its source text, which for a few is the instrumented text
        if (t.message?.includes('$__')) leaks.push(`seed ${c.seed}: ${t.message} (untraced: ${u.message})`);
        const sameEnd = t.end === u.end || (u.end === 'error <object>' && t.end.startsWith('error '));
        // V8 calls each anonymous operand of the expression it names `(intermediate value)`: the tracer's hooks add some
        const plain = (m: string) => m.replace(/(\(intermediate value\))+/g, '(intermediate value)');
        const sameMessage = u.message === undefined || plain(t.message!) === plain(u.message) || t.message!.includes('$__');
        if (t.out !== u.out || !sameEnd || !sameMessage) {
          diffs.push(`seed ${c.seed}: traced ${JSON.stringify(t)}, untraced ${JSON.stringify(c.untraced)}\n${c.src.slice(0, 400)}`);
        }
      });
    }
    const ends = new Map<string, number>();
    for (const c of cases) ends.set(c.untraced.end, (ends.get(c.untraced.end) ?? 0) + 1);
    console.log(`# compared ${compared} of ${cases.length} programs; untraced ends: ${JSON.stringify(Object.fromEntries(ends))}`);
    if (leaks.length) console.log(`# messages naming instrumented code:\n# ${leaks.join('\n# ')}`);
    assert.ok(compared >= cases.length / 2, `${compared} compared`);
    assert.deepEqual(diffs, []);
  });

  it('traces the program that once met invalid instrumented code', async () => {
    const t = await runTraced('console.log((function(){}).constructor("return 7")());\nconsole.log((1, [2]).length);\n');
    // the sandbox's context allows no code from strings: the learner's EvalError, not a TracerError
    assert.equal(t?.out, '');
    assert.equal(t?.end, 'error EvalError');
    assert.match(t?.message ?? '', /^Code generation from strings disallowed/);
  });
});
