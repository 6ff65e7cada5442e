// tracecast JavaScript tracer harness (Node 20). Contract: ../CHANNEL.md.
//
//   node tracer.mjs < job.json > frames.bin
//
// Reads one JSON job line from stdin, instruments job.code (instrument.mjs),
// runs it in a fresh vm context with hooks from runtime.mjs and writes
// hello / steps / output / end frames.

import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openChannel, frameWriter, readJobLine, readPeakRss, resetPeakRss, FrameTooLarge } from './channel.mjs';
import { prepare as prepareIn } from './program.mjs';
import { createLearnerContext } from './context.mjs';
import { makeStdio } from './learner-stdio.mjs';
import { makeViz } from './viz.mjs';
import { WARM_UP } from './warm-up.mjs';
import { createRuntime } from './runtime.mjs';
import { arityMessage, arityOf, arityOk, entryProblem } from './untraced.mjs';

const DEFAULT_JOB = {
  code: '', stdin: [], maxSteps: 1000000, maxOutputBytes: 1048576, maxItems: 100, maxString: 1000,
  keyframeEvery: 1000, full: false, batchSteps: 512,
};
// Own recursion limit: deep learner recursion raises a RangeError at a
// predictable depth instead of exhausting V8's stack inside a hook.
// (TRACECAST_MAX_DEPTH overrides it for tests of V8's own overflow.)
const MAX_DEPTH = Number(process.env.TRACECAST_MAX_DEPTH) || 3000;

// V8 settings for trace mode, set before the warm-up (below) so that the hooks it optimises are compiled as the job's
// would be. Inlining the hooks into each other makes TurboFan's work larger for no faster step (CPU per job on the
// bench's bubble sort and fib: -15 to -25 ms of 85-105 without the warm-up). Feedback vectors from a function's first
// call: with lazy allocation the hooks' first calls of a run leave no type feedback, and code optimised on the
// warm-up then deoptimises on the job's first steps. Bench and grade modes, which time the learner's own code,
// restore V8's defaults.
const TRACE_FLAGS = ['--no-turbo-inlining', '--no-lazy-feedback-allocation'];
for (const f of TRACE_FLAGS) v8.setFlagsFromString(f);

let finished = false;
let finishing = false;
let runtime = null;         // the hooks' runtime: traces the warm-up, then the job
let rt = null;              // the same, once it has the job
let chan = null;            // opened once the warm-up has run (ready)
let call = null;            // the job's entry call: its time, memory and result, for the end frame

function peakRssKb() {
  try { return process.resourceUsage().maxRSS; } catch { return 0; }
}

// Ends the run: flush, `end` frame, exit. When called with almost no stack
// left (a RangeError inside the tracer) it can fail part-way; state is only
// committed after each successful write, and a later call from a shallower
// frame (another hook, or the harness) retries.
function finish(status, error) {
  if (chan === null) throw new Error(`the warm-up program ended with ${status}: ${error && error.message}`);
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
    // the run's peak holds the call's (maxRSS and VmHWM are sampled differently)
    end.peakRssKb = Math.max(peakRssKb(), call !== null ? call.peakRssKb : 0);
    if (call !== null) end.call = call;
    chan.send(end);
    done = true;
  } finally {
    if (!done) finishing = false;
  }
  finished = true;
  process.exit(0);
}

// ---------------------------------------------------------------- the learner's realm, console, input, viz
const { ctx, G, CtxTypeError, CtxRangeError, EOFError, hostFn, hostObject, learnerStore, learnerStrictStore, learnerValue } = createLearnerContext();
const { emitOut, consoleObj, readLine } = makeStdio({ hostObject, EOFError, isFinished: () => finished, job: () => job, runtime: () => rt });
const vizObj = makeViz({ hostObject, CtxTypeError, runtime: () => rt });

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
// A pooled container says `hello` long before its job arrives: see warm-up.mjs.
const NULL_CHANNEL = frameWriter(fs.openSync('/dev/null', 'w'));
const prepare = (source, returning = null) => prepareIn(source, ctx, G, returning);
const warmUp = prepare(WARM_UP);
try {
  // Twice: the second run takes the paths a new job takes on hooks that are already optimised (empty caches, new
  // views, the first frames), and the deoptimisations they cause are recompiled before the job rather than during it.
  // A keyframe every 50 steps: at the jobs' 1,000 the keyframe encoder (keyframe, fromShadow, forEachChild, val) was
  // first optimised during the job, ~10 ms of TurboFan on a bubble sort. 40 items shown: lists longer than that.
  for (let pass = 0; pass < 2; pass++) start(warmUp, { ...DEFAULT_JOB, code: WARM_UP, keyframeEvery: 50, maxItems: 40 }, NULL_CHANNEL).call(G);
} catch (e) {
  // a failure here is a tracer bug the tests catch; the job still gets a runtime reset by load()
  process.stderr.write('tracecast: the warm-up program failed: ' + (e && e.stack || e) + '\n');
}

chan = openChannel();
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
if (job.mode === 'bench' || job.mode === 'grade') {
  for (const f of TRACE_FLAGS) v8.setFlagsFromString(f.replace('--no-', '--'));
}
if (job.mode === 'bench') {
  const { runBench } = await import('./bench.mjs');
  await runBench(job, chan);
} else if (job.mode === 'grade') {
  const { runGrade } = await import('./grade.mjs');
  await runGrade(job, chan);
}

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
// The runtime loaded with a job: the program's main function, ready to call.
function start({ res, factory }, jobOpts, channel) {
  const o = { job: jobOpts, meta: res, channel, ctxGlobal: G, code: res.code };
  if (runtime === null) {
    runtime = createRuntime({
      ...o, maxDepth: MAX_DEPTH,
      finish, makeRangeError: m => new CtxRangeError(m), makeTypeError: m => new CtxTypeError(m),
      sloppyStore: learnerStore, strictStore: learnerStrictStore,
    });
    const hooks = runtime.hooks;
    for (const k of Object.keys(hooks)) if (typeof hooks[k] === 'function') Object.setPrototypeOf(hooks[k], null);
    Object.setPrototypeOf(hooks, null);
  } else {
    runtime.load(o);
  }
  return factory(runtime.hooks, G);
}

// A name the program's main can return (program.mjs): an identifier, not a reserved word, not one of the tracer's.
function returnable(name) {
  if (typeof name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(name) || name.startsWith('$__')) return false;
  try { new vm.Script(`(function(){return typeof ${name}})`); return true; } catch { return false; }
}

// The job's entry(...args), after the top level, above the module's frame and traced like the rest (CHANNEL.md).
function callEntry(name, fn) {
  const args = learnerValue(Array.isArray(job.args) ? job.args : []);
  let problem = entryProblem(name, returnable(name) ? fn : undefined);
  if (problem === null) {
    const ar = arityOf(fn);
    if (!arityOk(ar, args.length)) problem = { type: 'EntryArity', message: arityMessage(name, ar, args.length), line: 0 };
  }
  if (problem !== null) { finish('error', problem); return false; }
  resetPeakRss();
  const t0 = performance.now();
  const measured = () => ({ ms: Math.round((performance.now() - t0) * 1000) / 1000, peakRssKb: readPeakRss() });
  let result;
  try {
    result = Reflect.apply(fn, undefined, args);
  } catch (e) {
    call = measured();
    uncaught(e);
    return false;
  }
  call = measured();
  const { value, heap } = rt.valueWithHeap(result);
  call.result = value;
  call.heap = heap;
  return true;
}

function run() {
  const entry = typeof job.entry === 'string' ? job.entry : null;
  const prepared = prepare(job.code, entry !== null && returnable(entry) ? entry : null);
  if (prepared.error) { finish('error', prepared.error); return; }
  const main = start(prepared, job, chan);
  rt = runtime;
  let returned;
  try {
    returned = main.call(G);
  } catch (e) {
    uncaught(e);
    return;
  }
  rt.resetToModule();
  if (entry !== null && !callEntry(entry, returned)) return;
  rt.flush();
  if (timers.size === 0) scheduleDone();
}

run();
