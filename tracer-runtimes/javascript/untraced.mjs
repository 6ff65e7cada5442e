// What bench and grade mode share (../CHANNEL.md, "Other modes"): the learner's program run untraced in a context of
// its own, its console and input(), buffered `output` frames, errors as the channel reports them, the entry function
// and its arity, and the `end` frame.
import util from 'node:util';
import vm from 'node:vm';
import * as acorn from './vendor/acorn.mjs';
import { fitOutput, outputPieces } from './output.mjs';

export const MAX_STRING = 1000;
const { isProxy, isNativeError } = util.types;
export const inspectOpts = { customInspect: false, showProxy: true, getters: false, colors: false, depth: 2, breakLength: Infinity };

export function cut(s) { return s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s; }

/** obj and its functions with null prototypes: nothing learner code reaches leads to the host's Function. */
export function nullProto(obj) {
  for (const k of Object.keys(obj)) if (typeof obj[k] === 'function') Object.setPrototypeOf(obj[k], null);
  return Object.setPrototypeOf(obj, null);
}

/** An own data property's value (no getter runs), else undefined. */
export function ownValue(o, k) {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return d && 'value' in d ? d.value : undefined;
}

/** Constructor name of an object without running learner code (no getters, no proxies). */
export function className(o) {
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

export function isTimeout(e) {
  try { return typeof e === 'object' && e !== null && !isProxy(e) && ownValue(e, 'code') === 'ERR_SCRIPT_EXECUTION_TIMEOUT'; } catch { return false; }
}

// ---------------------------------------------------------------- arity

/** Parameter counts of a function from its source: {min, max, names} (max Infinity with a rest parameter). */
export function arityOf(fn) {
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

export const arityOk = (ar, n) => !ar || (n >= ar.min && n <= ar.max);

export function arityMessage(name, ar, n) {
  const exp = ar.max === Infinity ? `at least ${ar.min}` : ar.min === ar.max ? `${ar.min}` : `${ar.min} to ${ar.max}`;
  return `${name} takes ${exp} parameter${exp === '1' ? '' : 's'} (${ar.names.join(', ')}), given ${n} argument${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- the job

/**
 * One bench or grade job: `new Untraced(job, channel, {name, maxOut, globals})`. Output is buffered while learner
 * code runs and sent between calls (flushOut): a call's time limit terminates whatever JavaScript runs, a frame being
 * written included. `globals`: more globals for the context besides console, input, prompt, viz, module, exports.
 */
export class Untraced {
  constructor(job, channel, { name, maxOut, globals = {} }) {
    this.channel = channel;
    this.maxOut = Number.isInteger(job.maxOutputBytes) && job.maxOutputBytes >= 0 ? job.maxOutputBytes : maxOut;
    this.stdinLines = Array.isArray(job.stdin) ? job.stdin.filter((x) => x !== null && x !== undefined).map(String) : [];
    this.stdinPos = 0;
    this.outs = [];        // [stream, text]
    this.outBytes = 0;
    this.muted = false;    // output dropped (bench's counting copy defining the module again)
    this.ctx = vm.createContext({}, { name, codeGeneration: { strings: false, wasm: false } });
    const ctx = this.ctx;
    this.G = vm.runInContext('globalThis', ctx);
    this.EOFError = vm.runInContext('(class EOFError extends Error { constructor(m) { super(m); this.name = "EOFError"; } })', ctx);
    this.stackOf = vm.runInContext('(function (e) { try { const s = e.stack; return typeof s === "string" ? s : ""; } catch (_) { return ""; } })', ctx, { filename: 'tracecast-untraced.js' });
    this.moduleObj = vm.runInContext('({ exports: {} })', ctx);
    const fmt = (args) => util.formatWithOptions(inspectOpts, ...args);
    const out = (stream, text, tail) => this.emitOut(stream, text, tail);
    const consoleObj = nullProto({
      log(...a) { out('stdout', fmt(a), '\n'); },
      info(...a) { out('stdout', fmt(a), '\n'); },
      debug(...a) { out('stdout', fmt(a), '\n'); },
      error(...a) { out('stderr', fmt(a), '\n'); },
      warn(...a) { out('stderr', fmt(a), '\n'); },
      trace(...a) { out('stderr', 'Trace: ' + fmt(a) + '\n'); },
      dir(x) { out('stdout', util.inspect(x, inspectOpts) + '\n'); },
      table(x) { out('stdout', util.inspect(x, inspectOpts) + '\n'); },
      assert(cond, ...a) { if (!cond) out('stderr', 'Assertion failed' + (a.length ? ': ' + fmt(a) : '') + '\n'); },
    });
    const readLine = (promptText) => this.readLine(promptText);
    // viz calls are accepted and ignored, so a program written for trace mode still runs
    const vizArray = nullProto({ select() {}, deselect() {}, patch() {}, depatch() {} });
    const vizObj = nullProto({ step() {}, logStep() {}, array() { return vizArray; }, note() {} });
    const provided = {
      console: consoleObj, input: function input(p) { return readLine(p); }, prompt: function prompt(p) { return readLine(p); },
      viz: vizObj, EOFError: this.EOFError, module: this.moduleObj, exports: this.moduleObj.exports, ...globals,
    };
    for (const [k, v] of Object.entries(provided)) {
      if (typeof v === 'function' && k !== 'EOFError') Object.setPrototypeOf(v, null);
      Object.defineProperty(this.G, k, { value: v, writable: true, configurable: true, enumerable: false });
    }
  }

  readLine(promptText) {
    if (promptText !== undefined && promptText !== null) this.emitOut('stdout', String(promptText));
    if (this.stdinPos < this.stdinLines.length) return this.stdinLines[this.stdinPos++];
    throw new this.EOFError('EOF when reading a line');
  }

  emitOut(stream, whole, tail = '') {
    if (this.muted || whole.length + tail.length === 0) return;
    const { text, bytes, over } = fitOutput(whole, tail, this.maxOut - this.outBytes);
    this.outBytes += bytes;
    if (text.length) {
      const last = this.outs[this.outs.length - 1];
      if (last && last[0] === stream) last[1] += text; else this.outs.push([stream, text]);
    }
    if (over) this.finish('output_limit');
  }

  flushOut() {
    if (this.outs.length === 0) return;
    const lst = this.outs.splice(0);
    for (const [stream, text] of lst) {
      for (const piece of outputPieces(text)) this.channel.send({ t: 'output', stream, text: piece, step: -1 });
    }
  }

  /** The job's end: pending output, then `last` (a frame, if any), then `end` with peakRssKb; the process exits. */
  finish(status, error, last, peakRssKb = maxRss()) {
    try { this.flushOut(); } catch { /* the end frame still goes out */ }
    if (last) this.channel.send(last);
    const end = { t: 'end', status, steps: 0 };
    if (error) {
      end.error = { type: String(error.type), message: String(error.message), line: error.line | 0 };
      if (error.column) end.error.column = error.column | 0;
    }
    end.peakRssKb = peakRssKb;
    this.channel.send(end);
    process.exit(0);
  }

  /** The line of the learner's code in an error's stack: `stack` is formatted lazily by the context's (learner-
   * replaceable) Error.prepareStackTrace, so it is read by a function of the context. */
  lineOf(e) {
    try {
      if (typeof e !== 'object' || e === null || isProxy(e)) return 0;
      const st = this.stackOf(e);
      const m = typeof st === 'string' ? /main\.js:(\d+)/.exec(st) : null;
      return m ? +m[1] : 0;
    } catch { return 0; }
  }

  /** The channel's error object for a thrown value: {type, message, line}. */
  excInfo(e) {
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
        return { type, message: cut(message), line: this.lineOf(e) };
      }
      const t = typeof e;
      const message = t === 'symbol' ? Symbol.prototype.toString.call(e) : String(e);
      return { type: t.charAt(0).toUpperCase() + t.slice(1), message: cut(message), line: 0 };
    } catch {
      return { type: 'Error', message: '', line: 0 };
    }
  }

  /** The learner's code, compiled and run once as a script under `limitMs`; ends the job when it fails. */
  define(code, limitMs) {
    let script;
    try {
      script = new vm.Script(code, { filename: 'main.js' });
    } catch (e) {
      const info = this.excInfo(e);
      this.finish('error', { type: info.type || 'SyntaxError', message: info.message, line: this.lineOf(e) || 1 });
    }
    try {
      script.runInContext(this.ctx, { timeout: limitMs, breakOnSigint: false });
    } catch (e) {
      if (isTimeout(e)) this.finish('error', { type: 'Timeout', message: `the program's top-level code ran longer than ${limitMs} ms`, line: 0 });
      this.finish('error', this.excInfo(e));
    }
  }

  /** The learner's function `name` (a global binding, or module.exports'); ends the job when there is none. */
  lookup(name, what) {
    let fn;
    let found = false;
    try {
      fn = new vm.Script(name).runInContext(this.ctx, { timeout: 1000 });
      found = fn !== undefined;
    } catch { /* not a global binding */ }
    if (!found) {
      const ex = ownValue(this.G, 'module') === this.moduleObj ? ownValue(this.moduleObj, 'exports') : undefined;
      const v = ex !== null && typeof ex === 'object' && !isProxy(ex) ? ownValue(ex, name) : undefined;
      if (v !== undefined) { fn = v; found = true; } else if (typeof ex === 'function' && !isProxy(ex) && ownValue(ex, 'name') === name) { fn = ex; found = true; }
    }
    const problem = entryProblem(name, found && !name.startsWith('__tracecast') ? fn : undefined, what);
    if (problem) this.finish('error', problem);
    return fn;
  }
}

/**
 * Why `fn`, what the program's name `name` holds (undefined: nothing), cannot be called as the entry function — the
 * `end` error (EntryNotFound, EntryArity) — or null. `what` names it in messages. Trace mode's entry call checks the same.
 */
export function entryProblem(name, fn, what = 'function') {
  if (fn === undefined) return { type: 'EntryNotFound', message: `no ${what} named '${name}' is defined`, line: 0 };
  if (typeof fn !== 'function') return { type: 'EntryArity', message: `'${name}' is not a function (it is ${fn === null ? 'null' : typeof fn})`, line: 0 };
  if (isProxy(fn)) return { type: 'EntryArity', message: `'${name}' is a Proxy, not a function`, line: 0 };
  let src = '';
  try { src = Function.prototype.toString.call(fn); } catch { /* ignore */ }
  if (/^class[\s{]/.test(src)) return { type: 'EntryArity', message: `'${name}' is a class, not a function`, line: 0 };
  return null;
}

function maxRss() {
  try { return process.resourceUsage().maxRSS; } catch { return 0; }
}
