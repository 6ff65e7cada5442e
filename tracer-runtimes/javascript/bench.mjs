// tracecast bench mode (../CHANNEL.md, "Other modes: bench and grade").
//
//   import { runBench } from './bench.mjs'; runBench(job, channel);   // channel.send(obj)
//
// Two copies of the learner's program live in one fresh vm context (one realm, so the
// data, prototypes and built-ins are shared):
// - the plain copy: job.code compiled untraced as a script (filename main.js) and run
//   once; its entry (and `gen`) are what the timed calls run;
// - the counting copy: the same code instrumented with acorn (instrumentCount below):
//   `$__tcN++` before every statement of every statement list, and at the start of every
//   loop body (one per iteration); an arrow function with an expression body counts one
//   per call. Function and class declarations, empty statements and directives do not
//   count. The inserted text has no newlines, so line numbers are the learner's. It runs
//   inside a function wrapper that owns the counter, so the counter is a closure
//   variable; its module-level code runs once more, with output muted and input()
//   rewound. Only its entry runs in the counting pass, on a fresh copy of the input.
//   `ops` = statements + loop iterations executed, which matches Python's executed-line
//   count for one statement per line.
//
// For each size, in order: the input is generated once (generators.mjs, or the
// learner's gen(n, rng) with rng = {random(), int(lo, hi)} (both ends included) seeded
// with sizeSeed(seed, n)); then `repeats` timed calls, each on a fresh deep copy made in
// the context's realm before the clock starts (a realm-local structured copy: arrays,
// plain objects, Map, Set, Date, typed arrays, class instances with their prototype;
// aliasing and cycles kept; functions shared) - when the first takes under 50 us, prints
// nothing and leaves its copy deep-equal to the input, it is discarded and each repeat
// times k back-to-back calls on its copy (k fills ~200 us, at most 10,000) and reports the
// time per call, as timeit does; then the counting pass on another copy;
// then a `bench.point` frame. The clock (process.hrtime.bigint) is read inside the
// context right around the call, so runInContext's own cost (the timeout's watchdog
// thread) is not timed. No GC is forced between sizes (a full GC of the process costs
// tens of ms; V8's GC cannot be switched off during a call).
//
// Built-ins during the counting pass only: well-known built-ins whose cost grows with their
// input are wrapped (Array.prototype: sort, indexOf, lastIndexOf, includes, slice, splice,
// concat, join, reverse, fill, shift, unshift, flat, copyWithin, toSorted, toReversed,
// toSpliced, with; String.prototype: indexOf, lastIndexOf, includes, slice, substring,
// substr, split, replace, replaceAll, repeat, concat, padStart, padEnd, trim*,
// toUpperCase, toLowerCase, startsWith, endsWith, normalize, match, matchAll, search;
// Array.from; Object.keys/values/entries/assign/fromEntries; JSON.stringify/parse;
// Math.max/min; String.fromCharCode), and the originals are put back right after. Each
// call's work is added to `ops` (its names go out as `charged`): sort n·bit_length(n),
// indexOf / lastIndexOf the items it looked at, includes / shift / unshift / splice / join
// and the string scans this.length, slice / concat / repeat / Array.from / Object.keys the
// length of what they made, Math.max the number of arguments. builtinShare = time inside
// the outermost wrapped calls of which one could not be charged (its size unknown: a
// learner's object as `this`) / wall time of the counting pass, so a charged built-in
// never tips the verdict to the timings. Not seen: O(1) built-ins (Map/Set/Math.floor,
// push/pop), constructors (new Set(arr)), spread/destructuring, callback-taking methods
// (map, filter, reduce, forEach, find...: their callbacks are learner code and counted in
// ops); a comparator passed to sort is counted in ops as learner code, beside sort's own
// charge.
//
// peakKb: VmHWM from /proc/self/status after the size's calls, with the high-water mark
// reset before each size (writing "5" to /proc/self/clear_refs); where refused, the
// process's peak so far (monotonic); fallback process.resourceUsage().maxRSS.
//
// Budget: budgetMs counts from the start of runBench. Before a size (but the first) its
// cost is estimated from the previous size's whole wall time (generation, copies, timed
// calls, counting pass) scaled by (n / n_prev) ** k * 1.25, k the growth exponent of the
// fastest call time between the last two sizes (at least 1, at most 12; the fastest, because
// one preempted median would make k 5-9 and stop a series seconds early); when elapsed +
// estimate passes the budget: `bench.stop` {reason "budget", n}. Every learner call
// (gen, timed calls, counting pass) runs through Script.runInContext with
// timeout = the remaining budget; a timeout stops with `bench.stop` {reason "budget", n}
// (that size is not reported). Module-level code gets min(remaining budget, 10 s) and
// fails with error type "Timeout".
//
// Errors: SyntaxError / exception while defining -> `end` error; missing entry ->
// "EntryNotFound"; not a function (or a class), or the argument count outside the
// parameter count (min = parameters before the first default/rest, max = all, or
// unbounded with a rest parameter) -> "EntryArity"; likewise for `gen` (messages name
// it); unknown builtin generator -> "GeneratorError". At one size, an exception in the
// entry or gen (a stack overflow is a RangeError), or a gen that does not return an array
// ("GeneratorError") -> `bench.error` {n, error: type, message, line} for that size, and
// the series goes on with the next size. Then process.exit(0), as in trace mode.
// Async entries are timed up to their first await (the promise is not awaited).
// setTimeout & co. exist but never run their callbacks.

import vm from 'node:vm';
import util from 'node:util';
import * as acorn from './vendor/acorn.mjs';
import { Untraced, arityMessage, arityOf, arityOk, isTimeout, nullProto, ownValue } from './untraced.mjs';
import { GENERATORS, makeRng, sizeSeed } from './generators.mjs';
import { readPeakRss, resetPeakRss } from './channel.mjs';

const DEFAULT_SIZES = [100, 500, 1000, 2500, 5000];
const DEFAULT_BUDGET_MS = 8000;
const MAX_REPEATS = 100;
const DEFINE_LIMIT_MS = 10000;
const SAFETY = 1.25;
const MAX_K = 12;
const SHORT_NS = 50_000n;   // a call shorter than this, on an input it leaves unchanged, is timed in batches...
const BATCH_NS = 200_000n;  // ...of as many back-to-back calls as fill this...
const MAX_BATCH = 10_000n;  // ...at most

/**
 * Calls per timing for a size, from a first call that took dt ns (bigint) on the copy a. A call of a few hundred
 * ns is mostly timer and cache noise (a binary search's log n is a few ns a probe): like timeit, time back-to-back
 * calls on one copy and divide, but only when that copy is still equal to the input (every call does the same
 * work) and the call printed nothing (its output would repeat).
 */
function batchSize(dt, a, args, printed) {
  if (dt >= SHORT_NS || printed) return 1;
  let same = false;
  try { same = util.isDeepStrictEqual(a, args); } catch { /* a getter threw: not comparable */ }
  if (!same) return 1;
  const k = BATCH_NS / (dt > 0n ? dt : 1n);
  return Number(k < 1n ? 1n : k > MAX_BATCH ? MAX_BATCH : k);
}
const COUNTER = '$__tcN';

const { isProxy } = util.types;

// ---------------------------------------------------------------- instrumentation

/**
 * The counting copy of `code`: `${counter}++;` before every counted statement and at the
 * start of every loop body; `(${counter}++, body)` for arrow expression bodies.
 * Throws acorn's SyntaxError when the code does not parse.
 */
export function instrumentCount(code, counter = COUNTER) {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true });
  const TICK = counter + '++;';
  const ins = [];   // [pos, kind (0 close, 1 open), depth, text]
  const silent = (s) => s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration' || s.type === 'EmptyStatement' ||
    (s.type === 'ExpressionStatement' && typeof s.directive === 'string');

  function list(stmts, depth) {
    for (const s of stmts) {
      if (!silent(s)) ins.push([s.start, 1, depth, TICK]);
      visit(s, depth + 1);
    }
  }
  function body(b, depth, loop) {
    if (b.type === 'BlockStatement') {
      if (loop) ins.push([b.start + 1, 1, depth, TICK]);
      visit(b, depth + 1);
      return;
    }
    ins.push([b.start, 1, depth, '{' + (loop ? TICK : '') + (silent(b) ? '' : TICK)]);
    ins.push([b.end, 0, depth, '}']);
    visit(b, depth + 1);
  }
  function visit(node, depth) {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Program': case 'BlockStatement': case 'StaticBlock':
        list(node.body, depth);
        return;
      case 'SwitchCase':
        visit(node.test, depth + 1);
        list(node.consequent, depth);
        return;
      case 'ForStatement':
        visit(node.init, depth + 1); visit(node.test, depth + 1); visit(node.update, depth + 1);
        body(node.body, depth + 1, true);
        return;
      case 'ForInStatement': case 'ForOfStatement':
        visit(node.left, depth + 1); visit(node.right, depth + 1);
        body(node.body, depth + 1, true);
        return;
      case 'WhileStatement':
        visit(node.test, depth + 1);
        body(node.body, depth + 1, true);
        return;
      case 'DoWhileStatement':
        body(node.body, depth + 1, true);
        visit(node.test, depth + 1);
        return;
      case 'IfStatement':
        visit(node.test, depth + 1);
        body(node.consequent, depth + 1, false);
        if (node.alternate) body(node.alternate, depth + 1, false);
        return;
      case 'WithStatement':
        visit(node.object, depth + 1);
        body(node.body, depth + 1, false);
        return;
      case 'ArrowFunctionExpression':
        for (const p of node.params) visit(p, depth + 1);
        if (node.expression) {
          ins.push([node.body.start, 1, depth, '(' + counter + '++,']);
          ins.push([node.body.end, 0, depth, ')']);
        }
        visit(node.body, depth + 1);
        return;
      default:
        for (const k in node) {
          if (k === 'type' || k === 'start' || k === 'end' || k === 'loc' || k === 'range') continue;
          const v = node[k];
          if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') visit(c, depth + 1); }
          else if (v && typeof v.type === 'string') visit(v, depth + 1);
        }
    }
  }
  visit(ast, 0);
  ins.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[1] === 0 ? b[2] - a[2] : a[2] - b[2]));
  let out = '';
  let at = 0;
  for (const [pos, , , text] of ins) {
    out += code.slice(at, pos) + text;
    at = pos;
  }
  return out + code.slice(at);
}

// ---------------------------------------------------------------- helpers in the context

// Defined in the learner's realm before the learner's code runs (so they hold the
// original built-ins). `now` is a host function with a null prototype.
const CTX_HELPERS = `(function (now) {
  'use strict';
  const apply = Reflect.apply, isArray = Array.isArray, getProto = Object.getPrototypeOf;
  const create = Object.create, keys = Object.keys, defineProperty = Object.defineProperty;
  const getDesc = Object.getOwnPropertyDescriptor, toStr = Object.prototype.toString;
  const ObjProto = Object.prototype, MapC = Map, SetC = Set, DateC = Date;
  const mapForEach = Map.prototype.forEach, setForEach = Set.prototype.forEach, mapSet = Map.prototype.set;
  const mapGet = Map.prototype.get, setAdd = Set.prototype.add, getTime = Date.prototype.getTime;
  const push = Array.prototype.push, ArrayBufferC = ArrayBuffer, isView = ArrayBuffer.isView;
  const typed = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array };

  function isPlainProto(p) {
    if (p === null || p === ObjProto) return true;
    if (getProto(p) !== null) return false;
    const d = getDesc(p, 'constructor');
    return !!d && typeof d.value === 'function' && d.value.name === 'Object';
  }
  function clone(x, memo) {
    if (x === null || typeof x !== 'object') return x;
    let c = apply(mapGet, memo, [x]);
    if (c !== undefined) return c;
    if (isArray(x)) {
      c = [];
      apply(mapSet, memo, [x, c]);
      const n = x.length;
      for (let i = 0; i < n; i++) { const v = x[i]; apply(push, c, [v !== null && typeof v === 'object' ? clone(v, memo) : v]); }
      return c;
    }
    const tag = apply(toStr, x, []);
    if (tag === '[object Map]') {
      c = new MapC();
      apply(mapSet, memo, [x, c]);
      apply(mapForEach, x, [(v, k) => apply(mapSet, c, [clone(k, memo), clone(v, memo)])]);
      return c;
    }
    if (tag === '[object Set]') {
      c = new SetC();
      apply(mapSet, memo, [x, c]);
      apply(setForEach, x, [(v) => apply(setAdd, c, [clone(v, memo)])]);
      return c;
    }
    if (tag === '[object Date]') {
      c = new DateC(apply(getTime, x, []));
      apply(mapSet, memo, [x, c]);
      return c;
    }
    if (isView(x) && tag !== '[object DataView]') {
      const T = typed[tag.slice(8, -1)];
      if (T) { c = new T(x); apply(mapSet, memo, [x, c]); return c; }
    }
    const p = getProto(x);
    c = isPlainProto(p) ? (p === null ? create(null) : {}) : create(p);
    apply(mapSet, memo, [x, c]);
    for (const k of keys(x)) {
      const d = getDesc(x, k);
      if (d && 'value' in d) c[k] = clone(d.value, memo);
    }
    return c;
  }
  function cloneArgs(args) {
    const memo = new MapC();
    const out = [];
    for (let i = 0; i < args.length; i++) apply(push, out, [clone(args[i], memo)]);
    return out;
  }

  // wrapped built-ins (installed for the counting pass only): each call's work is charged to the count by the size
  // it was handed (this.length), by what it made (the result's length) or by where it stopped (indexOf); time inside
  // a wrapped call whose size cannot be told is the unseen built-in time (builtinShare).
  const NLOGN = 0, LEN = 1, RESULT = 2, ARGS = 3, FOUND = 4, FOUND_LAST = 5, NONE = 6, ARG0 = 7;
  const targets = [
    ['Array', Array.prototype, { sort: NLOGN, toSorted: NLOGN, indexOf: FOUND, lastIndexOf: FOUND_LAST, includes: LEN,
      slice: RESULT, splice: LEN, concat: RESULT, join: LEN, reverse: LEN, fill: LEN, shift: LEN, unshift: LEN,
      flat: RESULT, copyWithin: LEN, toReversed: LEN, toSpliced: LEN, with: LEN }],
    ['String', String.prototype, { indexOf: FOUND, lastIndexOf: FOUND_LAST, includes: LEN, slice: RESULT,
      substring: RESULT, substr: RESULT, split: LEN, replace: LEN, replaceAll: LEN, repeat: RESULT, concat: RESULT,
      padStart: RESULT, padEnd: RESULT, trim: LEN, trimStart: LEN, trimEnd: LEN, toUpperCase: LEN, toLowerCase: LEN,
      startsWith: NONE, endsWith: NONE, normalize: LEN, match: LEN, matchAll: LEN, search: LEN }],
    ['Array', Array, { from: RESULT }],
    ['Object', Object, { keys: RESULT, values: RESULT, entries: RESULT, assign: NONE, fromEntries: ARG0 }],
    ['JSON', JSON, { stringify: RESULT, parse: ARG0 }],
    ['Math', Math, { max: ARGS, min: ARGS }],
    ['String', String, { fromCharCode: ARGS }],
  ];
  const lengthOf = (x) => (x !== null && x !== undefined && typeof x.length === 'number' ? x.length : -1);
  const clz32 = Math.clz32;
  const bits = (n) => 32 - clz32(n);
  /** The work of one call beyond the statement that makes it; -1 when its size cannot be told. */
  function costOf(kind, self, args, result) {
    switch (kind) {
      case NONE: return 0;
      case ARGS: return args.length;
      case RESULT: return lengthOf(typeof result === 'object' && result !== null && !isArray(result) && typeof result !== 'string' ? keys(result) : result);
      case ARG0: return lengthOf(args[0]);
    }
    const n = lengthOf(self);
    if (n < 0) return -1;
    if (kind === NLOGN) return n * bits(n);
    if (kind === FOUND) return result < 0 ? n : result + 1;
    if (kind === FOUND_LAST) return result < 0 ? n : n - result;
    return n;
  }
  let depth = 0, t0 = 0n, acc = 0n, charged = 0, unknown = 0;
  let chargedNames = create(null);
  const wrapped = [];
  for (const [owner, obj, kinds] of targets) {
    for (const name of keys(kinds)) {
      const d = getDesc(obj, name);
      if (!d || typeof d.value !== 'function') continue;
      const orig = d.value, kind = kinds[name], label = owner + '.' + name;
      const w = { [name](...args) {
        if (depth++ === 0) { t0 = now(); unknown = 0; }
        let result, cost = -1;
        try {
          result = apply(orig, this, args);
          cost = costOf(kind, this, args, result);
          return result;
        } finally {
          if (cost >= 0) { charged += cost; chargedNames[label] = true; } else unknown++;
          // The outermost call's time is unseen work only when a call inside it could not be charged.
          if (--depth === 0 && unknown > 0) acc += now() - t0;
        }
      } }[name];
      defineProperty(w, 'length', { value: orig.length });
      wrapped.push([obj, name, d, { ...d, value: w }]);
    }
  }
  // (a learner's code may have frozen a prototype: those built-ins then stay unwrapped)
  function install() {
    depth = 0; acc = 0n; charged = 0; chargedNames = create(null);
    for (const [obj, name, , dw] of wrapped) { try { defineProperty(obj, name, dw); } catch (_) { /* frozen */ } }
  }
  function uninstall() { for (const [obj, name, d] of wrapped) { try { defineProperty(obj, name, d); } catch (_) { /* frozen */ } } return acc; }

  // the pending call, run by a script under a timeout
  let pf = null, pa = null, mode = 0, counter = null, calls = 1;
  function setPending(f, a, m, ctr, k) { pf = f; pa = a; mode = m; counter = ctr; calls = k; }
  function run() {
    const f = pf, a = pa;
    pf = pa = null;
    if (mode === 0) {                    // timed call(s), back to back: elapsed ns (bigint)
      const t0 = now();
      apply(f, undefined, a);
      for (let i = 1; i < calls; i++) apply(f, undefined, a);
      const t1 = now();
      return t1 - t0;
    }
    if (mode === 1) return apply(f, undefined, a);     // plain call (gen): its result
    counter.reset();                     // counting pass: [ops, unseen built-in ns, pass ns, charged built-ins]
    install();
    const t0 = now();
    let t1 = t0, b = 0n;
    try {
      apply(f, undefined, a);
    } finally {
      t1 = now();
      b = uninstall();
    }
    return [counter.get() + charged, b, t1 - t0, keys(chargedNames)];
  }
  return { cloneArgs, setPending, run };
})`;

// ---------------------------------------------------------------- estimate

/** Conservative estimate (ns) of the whole cost of size n from the sizes measured so far: [{n, wall, fastest}]. */
export function estimate(hist, n) {
  const last = hist[hist.length - 1];
  let k = 1;
  if (hist.length >= 2) {
    const prev = hist[hist.length - 2];
    if (last.n > prev.n && prev.n > 0 && prev.fastest > 0 && last.fastest > 0) {
      k = Math.max(k, Math.log(last.fastest / prev.fastest) / Math.log(last.n / prev.n));
    }
  }
  k = Math.min(k, MAX_K);
  let ratio = last.n > 0 ? n / last.n : (n > 0 ? n : 1);
  ratio = Math.max(1, ratio);
  return last.wall * ratio ** k * SAFETY;
}

// ---------------------------------------------------------------- main

const NAME = /^[A-Za-z_$][\w$]*$/;

/** The job's series: entry name, sizes (non-negative integers, in the job's order), repeats, budget (ns), generator. */
function benchOptions(job) {
  const num = (v, d, lo, integer) => (typeof v === 'number' && Number.isFinite(v) && v >= lo && (!integer || Number.isInteger(v)) ? v : d);
  let sizes = Array.isArray(job.sizes) ? job.sizes : DEFAULT_SIZES;
  sizes = sizes.filter(n => Number.isInteger(n) && n >= 0);
  const genSpec = job.generator !== null && typeof job.generator === 'object' ? job.generator : { kind: 'builtin', name: 'random_ints', seed: 0 };
  return {
    entry: job.entry,
    sizes,
    repeats: Math.min(num(job.repeats, 5, 1, true), MAX_REPEATS),
    budgetNs: BigInt(Math.round(num(job.budgetMs, DEFAULT_BUDGET_MS, 1, false) * 1e6)),
    genSpec,
    seed: typeof genSpec.seed === 'number' && Number.isFinite(genSpec.seed) ? Math.trunc(genSpec.seed) : 0,
  };
}

/**
 * The job's vm context, its helpers H (CTX_HELPERS, given the clock `now`) and the script every learner call runs
 * through. Timers exist but never fire: a callback would run outside any timed call and outside the budget.
 */
function openContext(job, channel, now) {
  let timerId = 0;
  const noTimer = function () { return ++timerId; };
  const noClear = function () {};
  const run = new Untraced(job, channel, {
    name: 'tracecast-bench', maxOut: 65536,
    globals: {
      setTimeout: noTimer, setInterval: noTimer, setImmediate: noTimer, queueMicrotask: noClear,
      clearTimeout: noClear, clearInterval: noClear, clearImmediate: noClear,
    },
  });
  const H = vm.runInContext(CTX_HELPERS, run.ctx, { filename: 'tracecast-bench.js' })(now);
  // what runScript calls: read-only, so the learner's code cannot replace it
  Object.defineProperty(run.G, '__tracecast_bench__', { value: H.run, writable: false, configurable: false, enumerable: false });
  const runScript = new vm.Script('__tracecast_bench__()', { filename: 'tracecast-call.js' });
  return { run, H, runScript };
}

/** The builtin generator the job names (null for the learner's own); ends the job when the name is unusable. */
function builtinGenerator(genSpec, finish) {
  const learnerGen = genSpec.kind === 'function';
  const gname = genSpec.name;
  if (learnerGen && (typeof gname !== 'string' || !NAME.test(gname))) {
    finish('error', { type: 'GeneratorError', message: 'the generator has no valid function name', line: 0 });
  }
  let builtinGen = null;
  if (!learnerGen) {
    builtinGen = typeof gname === 'string' ? GENERATORS[gname] : undefined;
    if (typeof builtinGen !== 'function') {
      finish('error', { type: 'GeneratorError', message: `unknown builtin generator ${JSON.stringify(gname ?? null)} (known: ${Object.keys(GENERATORS).join(', ')})`, line: 0 });
    }
  }
  return builtinGen;
}

/**
 * The counting copy (instrumentCount) of `code`, defined in the same context as the plain one: its module-level
 * code runs once more, muted and with input() rewound, so that the learner sees one run. Returns its entry
 * (`countFn`) and its counter ({get, reset}); ends the job when it cannot be made or its top level fails.
 */
function defineCountingCopy(run, code, entry, fn, defineMs, finish) {
  const { ctx, G, moduleObj } = run;
  let wrapped;
  try {
    const inst = instrumentCount(code, COUNTER);
    const look = (nm) => `typeof ${nm}==='undefined'?undefined:${nm}`;
    // no newline before the code: line numbers stay the learner's
    wrapped = `(function(){let ${COUNTER}=0;const $__tcR=(function(){${inst}\n;return [${look(entry)}];}).call(globalThis);` +
      `return {entry:$__tcR[0],get(){return ${COUNTER}},reset(){${COUNTER}=0}};})`;
  } catch (e) {
    finish('error', { type: 'TracerError', message: 'the counting copy could not be made: ' + String(e && e.message), line: 0 });
  }
  let factory;
  try {
    factory = new vm.Script(wrapped, { filename: 'main.js' }).runInContext(ctx);
  } catch (e) {
    finish('error', { type: 'TracerError', message: 'the counting copy does not compile: ' + String(e && e.message), line: 0 });
  }
  const savedPos = run.stdinPos;
  const savedExports = ownValue(moduleObj, 'exports');
  run.muted = true;
  run.stdinPos = 0;
  const limitMs = defineMs();
  let res;
  try {
    res = new vm.Script('__tracecast_count_factory__()', { filename: 'tracecast-define.js' });
    Object.defineProperty(G, '__tracecast_count_factory__', { value: factory, writable: true, configurable: true, enumerable: false });
    res = res.runInContext(ctx, { timeout: limitMs, breakOnSigint: false });
  } catch (e) {
    run.muted = false;
    if (isTimeout(e)) finish('error', { type: 'Timeout', message: `the program's top-level code ran longer than ${limitMs} ms`, line: 0 });
    finish('error', run.excInfo(e));
  } finally {
    delete G.__tracecast_count_factory__;
  }
  run.muted = false;
  run.stdinPos = savedPos;
  let countFn = res.entry;
  if (typeof countFn !== 'function') {
    // the entry came from module.exports: the counting copy has just set it again
    const ex = ownValue(moduleObj, 'exports');
    const v = ex !== null && typeof ex === 'object' && !isProxy(ex) ? ownValue(ex, entry) : typeof ex === 'function' ? ex : undefined;
    countFn = typeof v === 'function' ? v : fn;
  }
  try { moduleObj.exports = savedExports; } catch { /* ignore */ }
  return { countFn, counter: nullProto({ get: res.get, reset: res.reset }) };
}

export function runBench(job, channel) {
  const hr = process.hrtime.bigint;
  const tStart = hr();
  if (job === null || typeof job !== 'object') job = {};
  const { entry, sizes, repeats, budgetNs, genSpec, seed } = benchOptions(job);
  const elapsedNs = () => hr() - tStart;
  const remainingMs = () => Number(budgetNs - elapsedNs()) / 1e6;

  // ---------------------------------------------------------------- the job's context
  const now = function () { return hr(); };
  Object.setPrototypeOf(now, null);
  const { run, H, runScript } = openContext(job, channel, now);
  const { ctx } = run;
  const flushOut = () => run.flushOut();
  const excInfo = (e) => run.excInfo(e);
  function finish(status, error, stopN) {
    run.finish(status, error, stopN === undefined ? undefined : { t: 'bench.stop', reason: 'budget', n: stopN }, readPeakRss());
  }

  // ---------------------------------------------------------------- define (plain copy)
  if (typeof entry !== 'string' || !NAME.test(entry)) {
    finish('error', { type: 'JobError', message: 'the job has no valid entry function name', line: 0 });
  }
  const learnerGen = genSpec.kind === 'function';
  const gname = genSpec.name;
  const builtinGen = builtinGenerator(genSpec, finish);

  let code = typeof job.code === 'string' ? job.code : '';
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  const defineMs = () => Math.max(1, Math.ceil(Math.min(DEFINE_LIMIT_MS, remainingMs())));
  run.define(code, defineMs());
  flushOut();
  const lookup = (name, what) => run.lookup(name, what);

  const fn = lookup(entry, 'function');
  const ar = arityOf(fn);
  let genFn = null;
  if (learnerGen) {
    genFn = lookup(gname, 'generator function');
    const gar = arityOf(genFn);
    if (!arityOk(gar, 2)) finish('error', { type: 'EntryArity', message: 'generator ' + arityMessage(gname, gar, 2), line: 0 });
  }
  const { countFn, counter } = defineCountingCopy(run, code, entry, fn, defineMs, finish);

  // ---------------------------------------------------------------- calls
  class Interrupted extends Error {}
  class LearnerError extends Error { constructor(info) { super(info.message); this.info = info; } }

  function runCall(f, a, mode, k = 1) {
    const rem = remainingMs();
    if (rem <= 0) throw new Interrupted();
    H.setPending(f, a, mode, counter, k);
    try {
      return runScript.runInContext(ctx, { timeout: Math.max(1, Math.ceil(rem)), breakOnSigint: false });
    } catch (e) {
      if (isTimeout(e)) throw new Interrupted();
      throw new LearnerError(excInfo(e));
    }
  }

  function generate(n) {
    const rng = makeRng(sizeSeed(seed, n));
    if (!learnerGen) return H.cloneArgs(builtinGen(n, rng));
    const r = nullProto({ random: rng.random, int: rng.int });
    const a = runCall(genFn, [n, r], 1);
    if (!Array.isArray(a)) {
      throw new LearnerError({ type: 'GeneratorError', message: `${gname}(n, rng) must return the array of positional arguments, not ${a === null ? 'null' : typeof a}`, line: 0 });
    }
    return a;
  }

  // ---------------------------------------------------------------- sizes
  const hist = [];
  for (const n of sizes) {
    if (hist.length) {
      const est = estimate(hist, n);
      if (Number(elapsedNs()) + est > Number(budgetNs)) finish('ok', null, n);
    }
    const tSize = hr();
    resetPeakRss();
    let times, ops, share, charged;
    try {
      const args = generate(n);
      flushOut();
      if (!arityOk(ar, args.length)) finish('error', { type: 'EntryArity', message: arityMessage(entry, ar, args.length), line: 0 });
      const probe = H.cloneArgs(args);
      const printed = run.outBytes;
      const dt = runCall(fn, probe, 0);
      const k = batchSize(dt, probe, args, run.outBytes !== printed);
      flushOut();
      times = k === 1 ? [dt] : [];
      while (times.length < repeats) {
        times.push(runCall(fn, H.cloneArgs(args), 0, k) / BigInt(k));
        flushOut();
      }
      const [o, b, total, names] = runCall(countFn, H.cloneArgs(args), 2);
      flushOut();
      ops = o;
      charged = [...names].sort().slice(0, 8);
      share = total > 0n ? Math.min(1, Math.max(0, Number(b) / Number(total))) : 0;
    } catch (e) {
      if (e instanceof Interrupted) finish('ok', null, n);
      if (!(e instanceof LearnerError)) throw e;
      // this size only: the series goes on with the next one
      flushOut();
      channel.send({ t: 'bench.error', n, error: { type: e.info.type, message: e.info.message, line: e.info.line | 0 } });
      continue;
    }
    const peak = readPeakRss();
    const fastest = Number(times.reduce((a, b) => (b < a ? b : a)));
    hist.push({ n, wall: Number(hr() - tSize), fastest });
    channel.send({ t: 'bench.point', n, times: times.map(t => Number(t) / 1e9), ops, builtinShare: Math.round(share * 1e6) / 1e6, peakKb: peak, charged });
  }
  finish('ok');
}
