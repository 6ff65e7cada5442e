// tracecast grade mode (../CHANNEL.md, "Other modes: bench and grade").
//
//   import { runGrade } from './grade.mjs'; runGrade(job, channel);   // channel.send(obj)
//
// The learner's code is compiled untraced as a script (filename main.js) in a fresh vm
// context and run once (module level gets DEFINE_LIMIT_MS); the entry is looked up by
// name (function declarations, top-level let/const/class bindings, or `module.exports`),
// and each case runs as `new vm.Script('__entry(...__args)').runInContext(ctx, {timeout})`
// on a fresh copy of its args, parsed by the context's own JSON.parse (so arrays and
// objects belong to the learner's realm). Each case ends with a `case` frame; an
// exception or timeout fails that case only. Then `end`, and process.exit(0), as in
// trace mode.
//
// Result encoding (what the server compares): null/boolean/finite number/string as JSON;
// arrays -> lists (holes and undefined -> {"$undefined":true}); plain objects (prototype
// Object.prototype or null) -> objects, except when a key starts with "$" (ambiguous):
// then {"$map":[[k,v],...]}; Set -> {"$set":[...]}; Map -> {"$map":[[k,v],...]};
// NaN/±Infinity -> {"$float":"nan"|"inf"|"-inf"}; undefined -> {"$undefined":true};
// BigInt -> {"$bigint":"digits"}; anything else (class instances, functions, typed
// arrays, proxies, accessor properties, cycles, nesting deeper than MAX_NEST) ->
// {"$repr":...,"$type":...}; a result whose case frame would pass 1 MiB -> {"$toolarge":bytes}.
// Getters and proxies are never invoked: the encoder reads own data properties only.

import vm from 'node:vm';
import util from 'node:util';
import { Untraced, arityMessage, arityOf, arityOk, className, cut, inspectOpts, isTimeout, ownValue } from './untraced.mjs';

const MAX_FRAME = 1024 * 1024;
const DEFAULT_LIMIT_MS = 2000;
const MAX_LIMIT_MS = 60000;
const DEFINE_LIMIT_MS = 10000;
const MAX_NEST = 500;

const { isProxy, isSet, isMap } = util.types;

/** The job's entry, after the learner's code has run once; ends the job when the job, the code or the entry is unusable. */
function defineEntry(run, entry, cases, code0) {
  const finish = (status, error) => run.finish(status, error);
  if (typeof entry !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(entry)) {
    finish('error', { type: 'JobError', message: 'the job has no valid entry function name', line: 0 });
  }
  if (!Array.isArray(cases)) finish('error', { type: 'JobError', message: 'the job has no list of cases', line: 0 });
  let code = typeof code0 === 'string' ? code0 : '';
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  run.define(code, DEFINE_LIMIT_MS);
  const fn = run.lookup(entry, 'function');
  const ar = arityOf(fn);
  // every argument count the cases use, checked before any case runs: a wrong arity is the job's error, not a case's
  for (const n of [...new Set(cases.filter(c => c && Array.isArray(c.args)).map(c => c.args.length))].sort((a, b) => a - b)) {
    if (!arityOk(ar, n)) finish('error', { type: 'EntryArity', message: arityMessage(entry, ar, n), line: 0 });
  }
  return fn;
}

/**
 * The result encoder (header: "Result encoding") for a context whose Object.prototype is `ctxObjectProto`: objects
 * of the learner's realm and of ours are both plain.
 */
function resultEncoder(ctxObjectProto) {
  function encode(v, depth, active) {
    switch (typeof v) {
      case 'string': case 'boolean': return v;
      case 'number':
        if (Number.isFinite(v)) return v;
        return { $float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
      case 'undefined': return { $undefined: true };
      case 'bigint': return { $bigint: v.toString() };
      case 'symbol': return { $repr: cut(Symbol.prototype.toString.call(v)), $type: 'Symbol' };
      case 'function': return other(v, 'Function');
      default: break;
    }
    if (v === null) return null;
    if (isProxy(v)) return { $repr: 'Proxy', $type: 'Proxy' };
    const arr = Array.isArray(v);
    const set = !arr && isSet(v);
    const map = !arr && !set && isMap(v);
    const proto = Object.getPrototypeOf(v);
    const plain = !arr && !set && !map && (proto === ctxObjectProto || proto === null || proto === Object.prototype);
    if (!arr && !set && !map && !plain) return other(v, className(v));
    if (depth >= MAX_NEST) return { $repr: `<nested more than ${MAX_NEST} levels deep>`, $type: className(v) };
    if (active.has(v)) return { $repr: '<cycle>', $type: className(v) };
    active.add(v);
    try {
      const d = depth + 1;
      if (arr) {
        const n = v.length;
        const out = new Array(n);
        for (let i = 0; i < n; i++) {
          const desc = Object.getOwnPropertyDescriptor(v, i);
          out[i] = desc === undefined ? { $undefined: true } : 'value' in desc ? encode(desc.value, d, active) : { $repr: '[Getter]', $type: 'accessor' };
        }
        return out;
      }
      if (set) {
        const out = [];
        for (const x of Set.prototype.values.call(v)) out.push(encode(x, d, active));
        return { $set: out };
      }
      if (map) {
        const out = [];
        for (const [k, x] of Map.prototype.entries.call(v)) out.push([encode(k, d, active), encode(x, d, active)]);
        return { $map: out };
      }
      const keys = Object.keys(v);
      const vals = keys.map((k) => {
        const desc = Object.getOwnPropertyDescriptor(v, k);
        return desc && 'value' in desc ? encode(desc.value, d, active) : { $repr: '[Getter]', $type: 'accessor' };
      });
      if (keys.some(k => k.startsWith('$'))) return { $map: keys.map((k, i) => [k, vals[i]]) };
      const out = {};
      keys.forEach((k, i) => { out[k] = vals[i]; });
      return out;
    } finally {
      active.delete(v);
    }
  }
  function other(v, type) {
    let r;
    try { r = util.inspect(v, inspectOpts); } catch { r = `<${type}>`; }
    return { $repr: cut(r), $type: type };
  }
  return encode;
}

/** A case's time limit (ms): its own when positive, else the default, within [1, MAX_LIMIT_MS]. */
function caseLimitMs(c) {
  const lim = typeof c.timeLimitMs === 'number' && c.timeLimitMs > 0 ? c.timeLimitMs : DEFAULT_LIMIT_MS;
  return Math.max(1, Math.min(Math.ceil(lim), MAX_LIMIT_MS));
}

/** The `case` frame; a result that would push it past the 1 MiB frame limit is replaced by its size. */
function sendCase(channel, id, status, ms, result, error) {
  const frame = { t: 'case', id, status, ms, result };
  if (error) frame.error = error;
  let text = JSON.stringify(frame);
  if (Buffer.byteLength(text, 'utf8') + 4 > MAX_FRAME) {
    frame.result = { $toolarge: Buffer.byteLength(JSON.stringify(result), 'utf8') };
    text = JSON.stringify(frame);
  }
  channel.send(frame);
}

export function runGrade(job, channel) {
  if (job === null || typeof job !== 'object') job = {};
  const entry = job.entry;
  const cases = job.cases;
  const run = new Untraced(job, channel, { name: 'tracecast-grade', maxOut: 1048576 });
  const { ctx, G } = run;
  const flushOut = () => run.flushOut();
  const excInfo = (e) => run.excInfo(e);
  // read before the learner's code runs: it may rebind the globals JSON and Object
  const ctxParse = vm.runInContext('JSON.parse', ctx);
  const encode = resultEncoder(vm.runInContext('Object.prototype', ctx));
  const fn = defineEntry(run, entry, cases, job.code);

  // ---------------------------------------------------------------- cases
  // The clock is read by the call script itself (__tick before, __tock after the call),
  // so `ms` leaves out runInContext's own cost (the timeout's watchdog thread: 0.2 ms
  // to tens of ms on a busy machine).
  let tick = 0n, tock = 0n;
  const hr = process.hrtime.bigint;
  const call = new vm.Script('(__tick(), __tock(__entry(...__args)))', { filename: 'grade-call.js' });
  const hidden = {
    __entry: fn,
    __tick: function () { tick = hr(); },
    __tock: function (r) { tock = hr(); return r; },
  };
  for (const [k, v] of Object.entries(hidden)) {
    if (k !== '__entry') Object.setPrototypeOf(v, null);
    Object.defineProperty(G, k, { value: v, writable: true, configurable: true, enumerable: false });
  }
  for (const c0 of cases) {
    const c = c0 !== null && typeof c0 === 'object' ? c0 : {};
    const id = typeof c.id === 'string' ? c.id : String(c.id);
    const lim = caseLimitMs(c);
    if (!Array.isArray(c.args)) {
      flushOut();
      channel.send({ t: 'case', id, status: 'error', ms: 0, result: null, error: { type: 'CaseError', message: "the case's args are not a list", line: 0 } });
      continue;
    }
    // a fresh copy in the learner's realm, made before the clock starts
    Object.defineProperty(G, '__args', { value: ctxParse(JSON.stringify(c.args)), writable: true, configurable: true, enumerable: false });
    let status = 'ok', result = null, error;
    tick = tock = 0n;
    const t0 = hr();
    let t1 = t0;
    try {
      const ret = call.runInContext(ctx, { timeout: lim, breakOnSigint: false });
      t1 = tock;
      result = encode(ret, 0, new Set());
    } catch (e) {
      t1 = hr();
      if (isTimeout(e)) {
        status = 'timeout';
        error = { type: 'Timeout', message: `exceeded the time limit of ${lim} ms`, line: 0 };
      } else {
        status = 'error';
        error = excInfo(e, ctx);
      }
      result = null;
    }
    G.__args = undefined;
    const ms = Math.round(Number(t1 - (tick || t0)) / 1e3) / 1e3;
    flushOut();
    sendCase(channel, id, status, ms, result, error);
  }
  run.finish('ok');
}
