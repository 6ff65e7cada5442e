// tracecast JavaScript tracer harness (Node 20). Contract: ../CHANNEL.md.
//
//   node tracer.mjs < job.json > frames.bin
//
// Reads one JSON job line from stdin, instruments job.code (instrument.mjs),
// runs it in a fresh vm context with hooks from runtime.mjs and writes
// hello / steps / output / end frames.

import vm from 'node:vm';
import util from 'node:util';
import v8 from 'node:v8';
import { openChannel, readJobLine, FrameTooLarge } from './channel.mjs';
import { instrument } from './instrument.mjs';
import { createRuntime } from './runtime.mjs';

const DEFAULT_JOB = {
  code: '', stdin: [], maxSteps: 1000000, maxOutputBytes: 1048576, maxItems: 100, maxString: 1000,
  keyframeEvery: 1000, full: false, batchSteps: 512,
};
// Own recursion limit: deep learner recursion raises a RangeError at a
// predictable depth instead of exhausting V8's stack inside a hook.
// (TRACECAST_MAX_DEPTH overrides it for tests of V8's own overflow.)
const MAX_DEPTH = Number(process.env.TRACECAST_MAX_DEPTH) || 3000;

let finished = false;
let finishing = false;
let rt = null;

function peakRssKb() {
  try { return process.resourceUsage().maxRSS; } catch { return 0; }
}

// Ends the run: flush, `end` frame, exit. When called with almost no stack
// left (a RangeError inside the tracer) it can fail part-way; state is only
// committed after each successful write, and a later call from a shallower
// frame (another hook, or the harness) retries.
function finish(status, error) {
  if (finished) { process.exit(0); return; } // `end` is out; the exit itself failed before
  if (finishing) return;
  finishing = true;
  let done = false;
  try {
    let st = status, err = error;
    if (rt !== null) {
      try { rt.finalFlush(); } catch (e) {
        if (e instanceof RangeError) throw e;
        st = 'error';
        err = { type: 'TracerError', message: e instanceof FrameTooLarge ? e.message : 'tracer failure: ' + (e && e.message), line: rt.topLine || 0 };
      }
    }
    const end = { t: 'end', status: st, steps: rt !== null ? rt.steps : 0 };
    if (st === 'error' && err) {
      end.error = { type: String(err.type), message: String(err.message), line: err.line | 0 };
      if (err.column) end.error.column = err.column | 0;
    }
    end.peakRssKb = peakRssKb();
    chan.send(end);
    done = true;
  } finally {
    if (!done) finishing = false;
  }
  finished = true;
  process.exit(0);
}

// ---------------------------------------------------------------- context
// The sandbox object must have a null prototype: global lookups that miss fall
// through to it, and an ordinary `{}` would hand out the host's Object
// (`this.constructor.constructor` at top level).
const ctx = vm.createContext(Object.create(null), { name: 'tracecast', codeGeneration: { strings: false, wasm: false } });
const G = vm.runInContext('globalThis', ctx);
const CtxTypeError = vm.runInContext('TypeError', ctx);
const CtxRangeError = vm.runInContext('RangeError', ctx);
const EOFError = vm.runInContext('(class EOFError extends Error { constructor(m) { super(m); this.name = "EOFError"; } })', ctx);
vm.runInContext(`Object.defineProperty(Error, 'prepareStackTrace', { writable: true, configurable: true, enumerable: false,
  value: function prepareStackTrace(err, frames) {
    let head;
    try { head = String(err); } catch (e) { head = 'Error'; }
    let out = head;
    for (const f of frames) {
      if (f.getFileName() !== 'main.js') continue;
      out += '\\n    at ' + (f.getFunctionName() || '<module>') + ' (main.js:' + f.getLineNumber() + ')';
    }
    return out;
  } })`, ctx);


// ---------------------------------------------------------------- host functions
// Everything learner code can reach from the host realm is a method-shorthand
// function (no `.prototype` object) whose own prototype is null, so no
// `.constructor` chain leads to the host's Function. Host-realm errors thrown
// while serving a call are re-created in the learner's realm.
const CtxError = vm.runInContext('Error', ctx);
const ctxErrors = { Error: CtxError, TypeError: CtxTypeError, RangeError: CtxRangeError };
function toLearnerError(e) {
  if (e instanceof Error) {
    const C = Object.hasOwn(ctxErrors, e.name) ? ctxErrors[e.name] : CtxError;
    return new C(String(e.message));
  }
  return e;
}
function hostFn(name, impl) {
  const holder = { [name](...args) { try { return impl(...args); } catch (e) { throw toLearnerError(e); } } };
  const f = holder[name];
  Object.setPrototypeOf(f, null);
  return f;
}
function hostObject(methods) {
  const obj = Object.create(null);
  for (const k of Object.keys(methods)) obj[k] = hostFn(k, methods[k]);
  return Object.freeze(obj);
}
const wf = (t) => (t.isWellFormed() ? t : t.toWellFormed());

// ---------------------------------------------------------------- output
let outBytes = 0;
function emitOut(stream, text) {
  if (finished || text.length === 0) return;
  text = wf(text); // lone surrogates become U+FFFD
  const b = Buffer.byteLength(text, 'utf8');
  if (outBytes + b > job.maxOutputBytes) {
    let room = Math.max(0, job.maxOutputBytes - outBytes);
    const buf = Buffer.from(text, 'utf8');
    while (room > 0 && room < buf.length && (buf[room] & 0xc0) === 0x80) room--;
    if (room > 0) rt.output(stream, buf.subarray(0, room).toString('utf8'));
    outBytes = job.maxOutputBytes;
    rt.halt('output_limit');
  }
  outBytes += b;
  rt.output(stream, text);
}

const inspectOpts = { customInspect: false, showProxy: false, getters: false, colors: false, depth: 2 };
function fmt(args) { return util.formatWithOptions(inspectOpts, ...args); }

const consoleObj = hostObject({
  log: (...a) => { emitOut('stdout', fmt(a) + '\n'); },
  info: (...a) => { emitOut('stdout', fmt(a) + '\n'); },
  debug: (...a) => { emitOut('stdout', fmt(a) + '\n'); },
  error: (...a) => { emitOut('stderr', fmt(a) + '\n'); },
  warn: (...a) => { emitOut('stderr', fmt(a) + '\n'); },
  trace: (...a) => { emitOut('stderr', 'Trace: ' + fmt(a) + '\n'); },
  dir: (x) => { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
  table: (x) => { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
  assert: (cond, ...a) => { if (!cond) emitOut('stderr', 'Assertion failed' + (a.length ? ': ' + fmt(a) : '') + '\n'); },
});

let stdinPos = 0;
function readLine(promptText) {
  if (promptText !== undefined && promptText !== null) emitOut('stdout', String(promptText));
  if (stdinPos < job.stdin.length) return String(job.stdin[stdinPos++]);
  throw new EOFError('EOF when reading a line');
}

// ---------------------------------------------------------------- viz
const VIZ_MAX_VALUES = 10000;
function vizLabel(x) { return wf(typeof x === 'string' ? x : util.inspect(x, inspectOpts)); }
function vizIndex(x) {
  const v = typeof x === 'number' ? x : Number(x);
  if (!Number.isSafeInteger(v)) throw new CtxTypeError('viz: an index must be an integer, got ' + vizLabel(x));
  return v;
}
function makeVizArray(name) {
  return hostObject({
    select: (i, j = i) => { rt.vizStep({ op: 'select', name, from: vizIndex(i), to: vizIndex(j) }, null); },
    deselect: (i, j = i) => { rt.vizStep({ op: 'deselect', name, from: vizIndex(i), to: vizIndex(j) }, null); },
    patch: (i, value) => { rt.vizStep({ op: 'patch', name, index: vizIndex(i), value: rt.val(value) }, [value]); },
    depatch: (i) => { rt.vizStep({ op: 'depatch', name, index: vizIndex(i) }, null); },
  });
}
const vizObj = hostObject({
  step: (label, data = null) => {
    const d = data === undefined ? null : data;
    rt.vizStep({ op: 'step', label: vizLabel(label), data: rt.val(d) }, [d]);
  },
  array: (name, values) => {
    const nm = vizLabel(name);
    const vals = [];
    const raw = [];
    if (values !== null && values !== undefined) {
      const len = Math.min(Number(values.length) || 0, VIZ_MAX_VALUES);
      for (let i = 0; i < len; i++) { const v = values[i]; raw.push(v); vals.push(rt.val(v)); }
    }
    rt.vizStep({ op: 'array', name: nm, values: vals }, raw);
    return makeVizArray(nm);
  },
  note: (text) => { rt.vizStep({ op: 'note', text: vizLabel(text) }, null); },
});

// ---------------------------------------------------------------- timers
// Ids are plain numbers: the host's Timeout objects never reach learner code.
// A timer is pending exactly while it is in `timers`, and it enters the map
// only once its arguments are converted and the host timer exists, so a call
// that throws leaves nothing behind that would keep the run from ending.
let nextTimerId = 1;
const timers = new Map();

function checkCallback(cb) {
  if (typeof cb !== 'function') throw new CtxTypeError('The "callback" argument must be of type function');
}
function runCallback(cb, args) {
  if (finished) return;
  rt.resetToModule();
  try { cb(...args); } catch (e) { uncaught(e); }
  rt.flush();
}
function afterTimer() {
  if (timers.size === 0) scheduleDone();
}
function timerDelay(ms) { const d = Number(ms); return d > 0 ? Math.min(d, 2147483647) : 0; }
function clearTimer(id) {
  const t = timers.get(id);
  if (!t) return;
  timers.delete(id);
  if (t.kind === 't') clearTimeout(t.h); else if (t.kind === 'i') clearInterval(t.h); else clearImmediate(t.h);
  afterTimer();
}

const provided = {
  console: consoleObj,
  viz: vizObj,
  EOFError,
  input: hostFn('input', (promptText) => readLine(promptText)),
  prompt: hostFn('prompt', (promptText) => readLine(promptText)),
  setTimeout: hostFn('setTimeout', (cb, ms, ...args) => {
    checkCallback(cb);
    const delay = timerDelay(ms);
    const id = nextTimerId++;
    timers.set(id, { h: setTimeout(() => { timers.delete(id); runCallback(cb, args); afterTimer(); }, delay), kind: 't' });
    return id;
  }),
  setInterval: hostFn('setInterval', (cb, ms, ...args) => {
    checkCallback(cb);
    const delay = Math.max(1, timerDelay(ms));
    const id = nextTimerId++;
    timers.set(id, { h: setInterval(() => { runCallback(cb, args); }, delay), kind: 'i' });
    return id;
  }),
  setImmediate: hostFn('setImmediate', (cb, ...args) => {
    checkCallback(cb);
    const id = nextTimerId++;
    timers.set(id, { h: setImmediate(() => { timers.delete(id); runCallback(cb, args); afterTimer(); }), kind: 'm' });
    return id;
  }),
  clearTimeout: hostFn('clearTimeout', clearTimer),
  clearInterval: hostFn('clearInterval', clearTimer),
  clearImmediate: hostFn('clearImmediate', clearTimer),
  queueMicrotask: hostFn('queueMicrotask', (cb) => {
    checkCallback(cb);
    queueMicrotask(() => { if (finished) return; try { cb(); } catch (e) { uncaught(e); } });
  }),
};
for (const [k, v] of Object.entries(provided)) {
  Object.defineProperty(G, k, { value: v, writable: true, configurable: true, enumerable: false });
}

// ---------------------------------------------------------------- errors
function errorLine(e) {
  if (rt === null) return 0;
  const l = rt.excLine(e);
  return l || rt.topLine || 0;
}

function uncaught(e) {
  if (finished) return;
  if (rt !== null && rt.halted) { rt.halt(); return; }
  if (rt !== null) {
    try { rt.reportIfNew(e); } catch (err) { if (finished) return; }
  }
  const info = rt !== null ? rt.excInfo(e) : { type: 'Error', message: String(e) };
  finish('error', { type: info.type, message: info.message, line: errorLine(e) });
}

function scheduleDone() {
  setImmediate(() => { if (!finished && timers.size === 0) finish('ok'); });
}

// ---------------------------------------------------------------- ready
// Everything above is the same for every job, and a pooled container says `hello` long before its job arrives: the
// context is built and acorn and the instrumenter run once on a small program first, so that V8 has compiled their
// functions before the job's clock starts (measured in the sandbox image: the first instrument() call takes 15-19 ms,
// the next ones 1.5-3 ms). The runtime's hooks are not warmed: a second set of their closures would cost V8's
// per-closure specialisation (bench/tracer/README.md).
const WARM_UP = `function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
class Stack { #items = []; push(x) { this.#items.push(x); } get size() { return this.#items.length; } }
const a = [3, 1, 2], seen = new Map(), s = new Stack();
let total = 0;
for (let i = 0; i < a.length; i++) { for (let j = 0; j + 1 < a.length - i; j++) if (a[j] > a[j + 1]) [a[j], a[j + 1]] = [a[j + 1], a[j]]; }
for (const [k, v] of Object.entries({ x: 1, y: 2 })) { seen.set(k, v); total += v; }
while (total > 0) { total -= 1; s.push(total); }
const sq = (x) => x * x, { x, ...rest } = { x: 1, y: 2 };
try { JSON.parse('{'); } catch (e) { console.log(\`\${e.name}: \${fib(5)} \${sq(x)}\`, rest, a.map((v) => v + 1)); }
`;
instrument(WARM_UP, { knownGlobals: new Set(Object.getOwnPropertyNames(G)) });

const chan = openChannel();
chan.send({ t: 'hello', lang: 'javascript', version: process.versions.node });

let job;
try {
  const raw = JSON.parse(readJobLine());
  job = { ...DEFAULT_JOB, ...raw };
  if (typeof job.code !== 'string') throw new Error('job.code must be a string');
  if (!Array.isArray(job.stdin)) job.stdin = [];
} catch (e) {
  finish('error', { type: 'InternalError', message: 'invalid job: ' + e.message, line: 0 });
}

// CHANNEL.md "Other modes": bench and grade jobs use the same channel and exit by themselves.
if (job.mode === 'bench') {
  const { runBench } = await import('./bench.mjs');
  await runBench(job, chan);
} else if (job.mode === 'grade') {
  const { runGrade } = await import('./grade.mjs');
  await runGrade(job, chan);
}

// A traced run is short and its hooks are hot from the first steps: most of its CPU beyond the steps themselves is V8
// optimising the hooks (bench/tracer --scaling), and inlining them into each other makes that work larger for no
// faster step. Measured in the sandbox image, CPU per job: -15 to -25 ms on the bench's bubble sort and fib (of
// 85-105 ms), +2% on a 400,000-step loop. Bench and grade modes, which time the learner's own code, keep V8's
// defaults: they never get here.
v8.setFlagsFromString('--no-turbo-inlining');

// Safety nets: the runner treats a tracer that exits without `end` as a
// failure, so an `end` frame goes out whatever path the run took. An event
// loop that drains is a program that ran to completion; an exit nobody
// prepared for is a tracer fault.
process.on('beforeExit', () => { if (!finished) finish('ok'); });
process.on('exit', () => {
  if (finished || finishing) return;
  finish('error', { type: 'TracerError', message: 'tracer failure: the tracer exited before the program finished', line: rt ? rt.topLine : 0 });
});

process.on('unhandledRejection', (reason) => uncaught(reason));
process.on('uncaughtException', (e) => {
  if (finished) return;
  finish('error', { type: 'TracerError', message: 'tracer failure: ' + (e && e.stack || e), line: rt ? rt.topLine : 0 });
});

// ---------------------------------------------------------------- run
function compileError(e, code) {
  let line = 1;
  const m = /main\.js:(\d+)/.exec(String(e && e.stack));
  if (m) line = +m[1];
  return { type: 'SyntaxError', message: String(e && e.message), line };
  void code;
}

function run() {
  let code = job.code;
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  const knownGlobals = new Set(Object.getOwnPropertyNames(G));
  const res = instrument(code, { knownGlobals });
  if (res.error) { finish('error', res.error); return; }

  const hookNames = ['s', 'c', 'r', 'R', 'E', 'Y', 'P', 'x', 'h', 'k', 'w', 'm', 'M', 'O', 'L', 'g', 'mf', 'H'];
  // Read globals are bound once as constants (global lookups in a vm context
  // are slow), taken from the `$__G` parameter: a learner name can be anything,
  // `globalThis` included, and `const globalThis=globalThis.globalThis` would
  // read its own binding. A program naming `globalThis` can replace globals
  // through it, so it keeps live lookups.
  const aliases = res.globalsRead.includes('globalThis') ? []
    : res.globalsRead.filter(n => /^[A-Za-z_$][\w$]*$/.test(n) && !n.startsWith('$__')).map(n => `${n}=$__G.${n}`);
  const head = '(function($__T,$__G){const ' + hookNames.map(h => `$__${h}=$__T.${h}`).join(',') + ';' +
    (aliases.length ? 'const ' + aliases.join(',') + ';' : '') + 'return function(){';
  const wrapped = head + res.code + '\n}})';

  let factory;
  try {
    factory = new vm.Script(wrapped, { filename: 'main.js' }).runInContext(ctx);
  } catch (e) {
    // does the learner's own program compile? (V8 early errors acorn does not report)
    try {
      new vm.Script('(function(){' + code + '\n})', { filename: 'main.js' });
    } catch (e2) {
      finish('error', compileError(e2, code));
      return;
    }
    finish('error', { type: 'TracerError', message: 'instrumentation produced invalid code: ' + e.message, line: 0 });
    return;
  }

  rt = createRuntime({
    job, meta: res, channel: chan, ctxGlobal: G, code: res.code, maxDepth: MAX_DEPTH,
    finish, makeRangeError: m => new CtxRangeError(m), makeTypeError: m => new CtxTypeError(m),
  });
  const hooks = rt.hooks;
  for (const k of Object.keys(hooks)) if (typeof hooks[k] === 'function') Object.setPrototypeOf(hooks[k], null);
  Object.setPrototypeOf(hooks, null);
  const main = factory(hooks, G);
  try {
    main.call(G);
  } catch (e) {
    uncaught(e);
    return;
  }
  rt.resetToModule();
  rt.flush();
  if (timers.size === 0) scheduleDone();
}

run();
