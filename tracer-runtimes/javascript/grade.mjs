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
import * as acorn from './vendor/acorn.mjs';
import { fitOutput, outputPieces } from './output.mjs';

const MAX_FRAME = 1024 * 1024;
const DEFAULT_LIMIT_MS = 2000;
const MAX_LIMIT_MS = 60000;
const DEFINE_LIMIT_MS = 10000;
const MAX_STRING = 1000;
const MAX_NEST = 500;

const { isProxy, isSet, isMap, isNativeError } = util.types;
const inspectOpts = { customInspect: false, showProxy: true, getters: false, colors: false, depth: 2, breakLength: Infinity };

function cut(s) { return s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s; }

function peakRssKb() {
  try { return process.resourceUsage().maxRSS; } catch { return 0; }
}

function nullProto(obj) {
  for (const k of Object.keys(obj)) if (typeof obj[k] === 'function') Object.setPrototypeOf(obj[k], null);
  return Object.setPrototypeOf(obj, null);
}

function ownValue(o, k) {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return d && 'value' in d ? d.value : undefined;
}

/** Constructor name of an object without running learner code (no getters, no proxies). */
function className(o) {
  try {
    if (isProxy(o)) return 'Proxy';
    let p = Object.getPrototypeOf(o);
    for (let i = 0; p !== null && i < 64; i++, p = Object.getPrototypeOf(p)) {
      if (isProxy(p)) return 'Object';
      const c = ownValue(p, 'constructor');
      if (typeof c === 'function') {
        const n = ownValue(c, 'name');
        if (typeof n === 'string' && n) return n;
      }
    }
  } catch { /* fall through */ }
  return 'Object';
}

/** Parameter counts of a function from its source: {min, max, names} (max Infinity with a rest parameter). */
function arityOf(fn) {
  let src;
  try { src = Function.prototype.toString.call(fn); } catch { return null; }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) return null;
  let node;
  try {
    node = acorn.parseExpressionAt('(' + src + ')', 0, { ecmaVersion: 'latest' });
  } catch {
    try {   // a method's source (`name(a, b) { ... }`): parse it inside an object literal
      node = acorn.parseExpressionAt('({' + src + '})', 0, { ecmaVersion: 'latest' }).properties[0].value;
    } catch { return null; }
  }
  while (node && node.type === 'ParenthesizedExpression') node = node.expression;
  if (!node || (node.type !== 'FunctionExpression' && node.type !== 'ArrowFunctionExpression')) return null;
  let min = 0, max = 0, counting = true;
  const names = [];
  for (const p of node.params) {
    if (p.type === 'RestElement') { max = Infinity; counting = false; names.push('...' + paramName(p.argument)); continue; }
    max++;
    if (p.type === 'AssignmentPattern') { counting = false; names.push(paramName(p.left) + '=…'); continue; }
    if (counting) min++;
    names.push(paramName(p));
  }
  return { min, max, names };
}
function paramName(p) {
  if (p.type === 'Identifier') return p.name;
  if (p.type === 'ObjectPattern') return '{…}';
  if (p.type === 'ArrayPattern') return '[…]';
  if (p.type === 'AssignmentPattern') return paramName(p.left);
  return '?';
}

// The line of the learner's code in an error's stack. Reading `stack` formats it lazily
// through the context's Error.prepareStackTrace (learner-replaceable), so it is read by
// a script in the context, under a timeout.
const STACK_OF = new vm.Script('(function (e) { try { const s = e.stack; return typeof s === "string" ? s : ""; } catch (_) { return ""; } })', { filename: 'grade-stack.js' });
function lineOf(e, ctx) {
  try {
    if (typeof e !== 'object' || e === null) return 0;
    const st = ctx ? STACK_OF.runInContext(ctx, { timeout: 200 })(e) : isProxy(e) ? '' : ownValue(e, 'stack');
    const m = typeof st === 'string' ? /main\.js:(\d+)/.exec(st) : null;
    return m ? +m[1] : 0;
  } catch { return 0; }
}

function isTimeout(e) {
  try { return typeof e === 'object' && e !== null && !isProxy(e) && ownValue(e, 'code') === 'ERR_SCRIPT_EXECUTION_TIMEOUT'; } catch { return false; }
}

function excInfo(e, ctx) {
  try {
    if ((typeof e === 'object' && e !== null) || typeof e === 'function') {
      if (isProxy(e)) return { type: 'Proxy', message: '', line: 0 };
      const nm = ownValue(e, 'name');
      let type = typeof nm === 'string' && nm ? nm : className(e);
      if (type === 'Object' && isNativeError(e)) type = 'Error';
      const msg = ownValue(e, 'message');
      let message;
      if (typeof msg === 'string') message = msg;
      else if (isNativeError(e)) message = '';
      else message = util.inspect(e, { ...inspectOpts, depth: 1 });
      return { type, message: cut(message), line: lineOf(e, ctx) };
    }
    const t = typeof e;
    const message = t === 'symbol' ? Symbol.prototype.toString.call(e) : String(e);
    return { type: t.charAt(0).toUpperCase() + t.slice(1), message: cut(message), line: 0 };
  } catch {
    return { type: 'Error', message: '', line: 0 };
  }
}

export function runGrade(job, channel) {
  if (job === null || typeof job !== 'object') job = {};
  const maxOut = Number.isInteger(job.maxOutputBytes) && job.maxOutputBytes >= 0 ? job.maxOutputBytes : 1048576;
  const stdinLines = Array.isArray(job.stdin) ? job.stdin.filter(x => x !== null && x !== undefined).map(String) : [];
  const entry = job.entry;
  const cases = job.cases;

  // ---------------------------------------------------------------- output
  // Buffered while learner code runs (at most the cap) and sent between calls, as in bench mode: a case's time limit
  // terminates whatever JavaScript runs, a frame being written included.
  const outs = [];   // [stream, text]
  let outBytes = 0;

  function flushOut() {
    if (outs.length === 0) return;
    const lst = outs.splice(0);
    for (const [stream, text] of lst) {
      for (const piece of outputPieces(text)) channel.send({ t: 'output', stream, text: piece, step: -1 });
    }
  }

  function finish(status, error) {
    try { flushOut(); } catch { /* the end frame still goes out */ }
    const end = { t: 'end', status, steps: 0 };
    if (error) {
      end.error = { type: String(error.type), message: String(error.message), line: error.line | 0 };
      if (error.column) end.error.column = error.column | 0;
    }
    end.peakRssKb = peakRssKb();
    channel.send(end);
    process.exit(0);
  }

  function emitOut(stream, whole, tail = '') {
    if (whole.length + tail.length === 0) return;
    const { text, bytes, over } = fitOutput(whole, tail, maxOut - outBytes);
    outBytes += bytes;
    if (text.length) {
      const last = outs[outs.length - 1];
      if (last && last[0] === stream) last[1] += text; else outs.push([stream, text]);
    }
    if (over) finish('output_limit');
  }

  // ---------------------------------------------------------------- context
  const ctx = vm.createContext({}, { name: 'tracecast-grade', codeGeneration: { strings: false, wasm: false } });
  const G = vm.runInContext('globalThis', ctx);
  const ctxParse = vm.runInContext('JSON.parse', ctx);
  const CtxObjectProto = vm.runInContext('Object.prototype', ctx);
  const EOFError = vm.runInContext('(class EOFError extends Error { constructor(m) { super(m); this.name = "EOFError"; } })', ctx);

  function fmt(args) { return util.formatWithOptions(inspectOpts, ...args); }
  const consoleObj = nullProto({
    log(...a) { emitOut('stdout', fmt(a), '\n'); },
    info(...a) { emitOut('stdout', fmt(a), '\n'); },
    debug(...a) { emitOut('stdout', fmt(a), '\n'); },
    error(...a) { emitOut('stderr', fmt(a), '\n'); },
    warn(...a) { emitOut('stderr', fmt(a), '\n'); },
    trace(...a) { emitOut('stderr', 'Trace: ' + fmt(a) + '\n'); },
    dir(x) { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
    table(x) { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
    assert(cond, ...a) { if (!cond) emitOut('stderr', 'Assertion failed' + (a.length ? ': ' + fmt(a) : '') + '\n'); },
  });
  let stdinPos = 0;
  function readLine(promptText) {
    if (promptText !== undefined && promptText !== null) emitOut('stdout', String(promptText));
    if (stdinPos < stdinLines.length) return stdinLines[stdinPos++];
    throw new EOFError('EOF when reading a line');
  }
  function input(promptText) { return readLine(promptText); }
  function prompt(promptText) { return readLine(promptText); }
  // viz calls are accepted and ignored, so a program written for trace mode still runs
  const vizArray = nullProto({ select() {}, deselect() {}, patch() {}, depatch() {} });
  const vizObj = nullProto({ step() {}, array() { return vizArray; }, note() {} });
  const moduleObj = vm.runInContext('({ exports: {} })', ctx);
  const provided = { console: consoleObj, input, prompt, viz: vizObj, EOFError, module: moduleObj, exports: moduleObj.exports };
  for (const [k, v] of Object.entries(provided)) {
    if (typeof v === 'function' && k !== 'EOFError') Object.setPrototypeOf(v, null);
    Object.defineProperty(G, k, { value: v, writable: true, configurable: true, enumerable: false });
  }

  // ---------------------------------------------------------------- define
  if (typeof entry !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(entry)) {
    finish('error', { type: 'JobError', message: 'the job has no valid entry function name', line: 0 });
  }
  if (!Array.isArray(cases)) finish('error', { type: 'JobError', message: 'the job has no list of cases', line: 0 });

  let code = typeof job.code === 'string' ? job.code : '';
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  let script;
  try {
    script = new vm.Script(code, { filename: 'main.js' });
  } catch (e) {
    const info = excInfo(e);
    finish('error', { type: info.type || 'SyntaxError', message: info.message, line: lineOf(e) || 1 });
  }
  try {
    script.runInContext(ctx, { timeout: DEFINE_LIMIT_MS, breakOnSigint: false });
  } catch (e) {
    if (isTimeout(e)) finish('error', { type: 'Timeout', message: `the program's top-level code ran longer than ${DEFINE_LIMIT_MS} ms`, line: 0 });
    finish('error', excInfo(e, ctx));
  }

  // ---------------------------------------------------------------- entry
  let fn;
  let found = false;
  try {
    fn = new vm.Script(entry).runInContext(ctx, { timeout: 1000 });
    found = true;
  } catch { /* not a global binding */ }
  if (!found || fn === undefined) {
    const ex = ownValue(G, 'module') === moduleObj ? ownValue(moduleObj, 'exports') : undefined;
    const v = ex !== null && typeof ex === 'object' && !isProxy(ex) ? ownValue(ex, entry) : undefined;
    if (v !== undefined) { fn = v; found = true; } else if (typeof ex === 'function' && !isProxy(ex) && ownValue(ex, 'name') === entry) { fn = ex; found = true; }
  }
  if (!found || fn === undefined) {
    finish('error', { type: 'EntryNotFound', message: `no function named '${entry}' is defined`, line: 0 });
  }
  if (typeof fn !== 'function') {
    finish('error', { type: 'EntryArity', message: `'${entry}' is not a function (it is ${fn === null ? 'null' : typeof fn})`, line: 0 });
  }
  if (isProxy(fn)) finish('error', { type: 'EntryArity', message: `'${entry}' is a Proxy, not a function`, line: 0 });
  let src = '';
  try { src = Function.prototype.toString.call(fn); } catch { /* ignore */ }
  if (/^class[\s{]/.test(src)) finish('error', { type: 'EntryArity', message: `'${entry}' is a class, not a function`, line: 0 });
  const ar = arityOf(fn);
  if (ar) {
    const counts = [...new Set(cases.filter(c => c && Array.isArray(c.args)).map(c => c.args.length))].sort((a, b) => a - b);
    for (const n of counts) {
      if (n < ar.min || n > ar.max) {
        const exp = ar.max === Infinity ? `at least ${ar.min}` : ar.min === ar.max ? `${ar.min}` : `${ar.min} to ${ar.max}`;
        finish('error', {
          type: 'EntryArity',
          message: `${entry} takes ${exp} parameter${exp === '1' ? '' : 's'} (${ar.names.join(', ')}), given ${n} argument${n === 1 ? '' : 's'}`,
          line: 0,
        });
      }
    }
  }

  // ---------------------------------------------------------------- encoding
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
    const plain = !arr && !set && !map && (proto === CtxObjectProto || proto === null || proto === Object.prototype);
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
    let lim = typeof c.timeLimitMs === 'number' && c.timeLimitMs > 0 ? c.timeLimitMs : DEFAULT_LIMIT_MS;
    lim = Math.max(1, Math.min(Math.ceil(lim), MAX_LIMIT_MS));
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
    const frame = { t: 'case', id, status, ms, result };
    if (error) frame.error = error;
    let text = JSON.stringify(frame);
    if (Buffer.byteLength(text, 'utf8') + 4 > MAX_FRAME) {
      frame.result = { $toolarge: Buffer.byteLength(JSON.stringify(result), 'utf8') };
      text = JSON.stringify(frame);
    }
    channel.send(frame);
  }
  finish('ok');
}
