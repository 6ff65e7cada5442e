// Baseline for bench/tracer: a straightforward full-snapshot JavaScript tracer.
//
// The same idea as the Python baseline (settrace_full.py, after Online Python Tutor's
// pg_logger), with a simple acorn instrumentation: before every statement (and at every
// loop test, function entry and `return`) it calls a hook with a closure returning all
// the bindings visible there; the hook walks the whole stack (each frame's latest
// closure), encodes every binding and the whole heap reachable from them
// (['LIST', ...], ['REF', id], ...) and JSON.stringify's that snapshot. Snapshots are
// streamed over the same frame channel as tracecast's tracer (4-byte length + JSON;
// hello / steps / end), batched by 512 steps or 20 ms, with the job's maxItems /
// maxString truncation.
//
// Usage (in the sandbox image, acorn from the tracer's vendor dir):
//   node full-snapshot.mjs < job.json
import fs from 'node:fs';
import vm from 'node:vm';
import * as acorn from '/opt/tracecast/vendor/acorn.mjs';

const MAX_FRAME = 1 << 20;
const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(sleepBuf, 0, 0, ms);

function writeAll(buf) {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      if (e.code === 'EAGAIN') { sleep(1); continue; }
      throw e;
    }
  }
}
function send(text) {
  const len = Buffer.byteLength(text);
  const buf = Buffer.allocUnsafe(4 + len);
  buf.writeUInt32BE(len, 0);
  buf.write(text, 4);
  writeAll(buf);
}
function readJob() {
  const chunks = [];
  const buf = Buffer.allocUnsafe(65536);
  for (;;) {
    let n;
    try { n = fs.readSync(0, buf, 0, buf.length, null); } catch (e) {
      if (e.code === 'EAGAIN') { sleep(2); continue; }
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf.subarray(0, n).includes(10)) break;
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8').split('\n')[0]);
}

// ------------------------------------------------------------------ instrumentation

function patternNames(p, out) {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier': out.push(p.name); break;
    case 'ObjectPattern': for (const q of p.properties) patternNames(q.type === 'RestElement' ? q.argument : q.value, out); break;
    case 'ArrayPattern': for (const q of p.elements) patternNames(q, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
  }
  return out;
}

export function instrument(code) {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: false });
  const edits = [];
  let seq = 0;
  const open = (pos, text) => { const s = seq++; edits.push({ pos, text, close: false, s }); return s; };
  const close = (pos, text, s) => edits.push({ pos, text, close: true, s });

  // scope: {fn: bool, decls: [{name, end, hoisted}], parent}
  const visibleAt = (scope, pos) => {
    const seen = new Set();
    for (let sc = scope; sc; sc = sc.parent) {
      for (const d of sc.decls) if ((d.hoisted || d.end <= pos) && !seen.has(d.name)) seen.add(d.name);
    }
    return [...seen];
  };
  const getter = (scope, pos) => `()=>({${visibleAt(scope, pos).join(',')}})`;

  // Declarations of a statement list: var / function hoisted to the function scope, let / const / class to the block.
  function collectVars(node, fnScope) {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations) for (const n of patternNames(d.id, [])) fnScope.decls.push({ name: n, end: 0, hoisted: true });
    }
    if (/Function/.test(node.type)) return;
    for (const k of Object.keys(node)) {
      const v = node[k];
      if (Array.isArray(v)) v.forEach((c) => collectVars(c, fnScope));
      else if (v && typeof v.type === 'string' && k !== 'type') collectVars(v, fnScope);
    }
  }
  function blockDecls(list, scope) {
    for (const s of list) {
      if (s.type === 'FunctionDeclaration') scope.decls.push({ name: s.id.name, end: 0, hoisted: true });
      else if (s.type === 'ClassDeclaration') scope.decls.push({ name: s.id.name, end: s.end, hoisted: false });
      else if (s.type === 'VariableDeclaration' && s.kind !== 'var') {
        for (const d of s.declarations) for (const n of patternNames(d.id, [])) scope.decls.push({ name: n, end: s.end, hoisted: false });
      }
    }
  }

  function statements(list, scope) {
    blockDecls(list, scope);
    for (const s of list) statement(s, scope);
  }
  // A statement in a non-list position (if / loop body): wrapped in braces.
  function body(s, scope) {
    if (s.type === 'BlockStatement') return statement(s, scope);
    const o = open(s.start, '{');
    statement(s, scope);
    close(s.end, '}', o);
  }
  function stepBefore(s, scope) {
    if (s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement' || s.type === 'BlockStatement') return;
    open(s.start, `__s(${s.loc.start.line},${getter(scope, s.start)});`);
  }
  function loopTest(test, line, scope) {
    if (!test) return;
    const o = open(test.start, `(__s(${line},${getter(scope, test.start)}),`);
    expr(test, scope);
    close(test.end, ')', o);
  }

  function statement(s, scope) {
    stepBefore(s, scope);
    switch (s.type) {
      case 'BlockStatement': {
        const sc = { fn: false, decls: [], parent: scope };
        statements(s.body, sc);
        return;
      }
      case 'IfStatement':
        expr(s.test, scope);
        body(s.consequent, scope);
        if (s.alternate) body(s.alternate, scope);
        return;
      case 'ForStatement': {
        const sc = { fn: false, decls: [], parent: scope };
        if (s.init && s.init.type === 'VariableDeclaration' && s.init.kind !== 'var') {
          for (const d of s.init.declarations) for (const n of patternNames(d.id, [])) sc.decls.push({ name: n, end: s.init.end, hoisted: false });
        }
        if (s.init) expr(s.init, sc);
        loopTest(s.test, s.loc.start.line, sc);
        if (s.update) expr(s.update, sc);
        body(s.body, sc);
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        const sc = { fn: false, decls: [], parent: scope };
        if (s.left.type === 'VariableDeclaration' && s.left.kind !== 'var') {
          for (const d of s.left.declarations) for (const n of patternNames(d.id, [])) sc.decls.push({ name: n, end: s.left.end, hoisted: false });
        }
        expr(s.right, scope);
        body(s.body, sc);
        return;
      }
      case 'WhileStatement':
        loopTest(s.test, s.loc.start.line, scope);
        body(s.body, scope);
        return;
      case 'DoWhileStatement':
        body(s.body, scope);
        loopTest(s.test, s.test.loc.start.line, scope);
        return;
      case 'ReturnStatement':
        if (s.argument) {
          const o = open(s.argument.start, `__r(${s.loc.start.line},`);
          expr(s.argument, scope);
          close(s.argument.end, ')', o);
        }
        return;
      case 'FunctionDeclaration':
        fn(s, scope);
        return;
      case 'ClassDeclaration':
        expr(s, scope);
        return;
      case 'LabeledStatement':
        body(s.body, scope);
        return;
      case 'TryStatement': {
        statement(s.block, scope);
        if (s.handler) {
          const sc = { fn: false, decls: patternNames(s.handler.param, []).map((n) => ({ name: n, end: 0, hoisted: true })), parent: scope };
          statements(s.handler.body.body, sc);
        }
        if (s.finalizer) statement(s.finalizer, scope);
        return;
      }
      case 'SwitchStatement': {
        expr(s.discriminant, scope);
        const sc = { fn: false, decls: [], parent: scope };
        for (const c of s.cases) blockDecls(c.consequent, sc);
        for (const c of s.cases) for (const x of c.consequent) statement(x, sc);
        return;
      }
      default:
        expr(s, scope);
    }
  }

  // Expressions: only functions inside them need instrumenting.
  function expr(node, scope) {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return fn(node, scope);
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      if (node.superClass) expr(node.superClass, scope);
      for (const m of node.body.body) if (m.value) expr(m.value, scope);
      return;
    }
    for (const k of Object.keys(node)) {
      if (k === 'type' || k === 'loc') continue;
      const v = node[k];
      if (Array.isArray(v)) v.forEach((c) => expr(c, scope));
      else if (v && typeof v.type === 'string') expr(v, scope);
    }
  }

  function fn(f, scope) {
    const sc = { fn: true, decls: [], parent: scope };
    for (const p of f.params) for (const n of patternNames(p, [])) sc.decls.push({ name: n, end: 0, hoisted: true });
    if (f.type === 'FunctionExpression' && f.id) sc.decls.push({ name: f.id.name, end: 0, hoisted: true });
    const name = JSON.stringify(f.id ? f.id.name : '<anonymous>');
    const line = f.loc.start.line;
    if (f.body.type === 'BlockStatement') {
      collectVars(f.body, sc);
      const o = open(f.body.start + 1, `__c(${name},${line},${getter(sc, f.body.start)});try{`);
      statements(f.body.body, sc);
      close(f.body.end - 1, '}finally{__x()}', o);
    } else {
      const o = open(f.body.start, `{__c(${name},${line},${getter(sc, f.body.start)});try{return __r(${f.body.loc.start.line},(`);
      expr(f.body, sc);
      close(f.body.end, '))}finally{__x()}}', o);
    }
  }

  const top = { fn: true, decls: [], parent: null };
  collectVars(ast, top);
  statements(ast.body, top);

  // Apply: by position; at one position closings first (inner first), then openings (outer first).
  edits.sort((a, b) => a.pos - b.pos || (a.close === b.close ? (a.close ? b.s - a.s : a.s - b.s) : a.close ? -1 : 1));
  let out = '';
  let last = 0;
  for (const e of edits) {
    out += code.slice(last, e.pos) + e.text;
    last = e.pos;
  }
  return out + code.slice(last);
}

// ------------------------------------------------------------------ runtime

function main() {
  send(JSON.stringify({ t: 'hello', lang: 'javascript', version: process.versions.node }));
  const job = readJob();
  const maxSteps = job.maxSteps ?? 1000000;
  const M = job.maxItems ?? 100;
  const MS = job.maxString ?? 1000;
  const batch = job.batchSteps ?? 512;

  let i = 0;
  let pend = [];
  let pendBytes = 0;
  let last = performance.now();
  let stdout = '';
  const flush = () => {
    if (pend.length) send('{"t":"steps","steps":[' + pend.join(',') + ']}');
    pend = [];
    pendBytes = 0;
    last = performance.now();
  };
  const finish = (status, error) => {
    flush();
    const end = { t: 'end', status, steps: i, peakRssKb: process.resourceUsage().maxRSS };
    if (error) end.error = error;
    send(JSON.stringify(end));
    process.exit(0);
  };

  // small stable ids, objects kept alive (as pg_logger)
  const ids = new Map();
  let nextId = 1;
  const enc = (v, heap) => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : ['SPECIAL_FLOAT', String(v)];
    if (typeof v === 'string') return v.length <= MS ? v : v.slice(0, MS);
    if (v === undefined) return ['UNDEFINED'];
    if (typeof v === 'bigint' || typeof v === 'symbol') return ['HEAP_PRIMITIVE', typeof v, String(v)];
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = nextId++));
    const ref = ['REF', id];
    if (id in heap) return ref;
    heap[id] = null;
    let e;
    if (Array.isArray(v)) {
      e = ['LIST'];
      for (let k = 0; k < v.length && k < M; k++) e.push(enc(v[k], heap));
    } else if (v instanceof Map) {
      e = ['DICT'];
      let k = 0;
      for (const [a, b] of v) { if (k++ >= M) break; e.push([enc(a, heap), enc(b, heap)]); }
    } else if (v instanceof Set) {
      e = ['SET'];
      let k = 0;
      for (const a of v) { if (k++ >= M) break; e.push(enc(a, heap)); }
    } else if (typeof v === 'function') {
      e = ['FUNCTION', v.name, null];
    } else {
      e = ['INSTANCE', v.constructor ? v.constructor.name : 'Object'];
      let k = 0;
      for (const key of Object.keys(v)) { if (k++ >= M) break; e.push([key, enc(v[key], heap)]); }
    }
    heap[id] = e;
    return ref;
  };

  const frames = [{ fn: '<module>', id: 0, get: null }];
  let nextFrame = 1;
  const step = (ev, line, ret) => {
    if (i >= maxSteps) finish('step_limit');
    const heap = {};
    const stack = [];
    for (const f of frames) {
      let vars = {};
      try { if (f.get) vars = f.get(); } catch { /* a binding in its temporal dead zone */ }
      const names = Object.keys(vars);
      const encoded = {};
      for (const n of names) encoded[n] = enc(vars[n], heap);
      if (ev === 'return' && f === frames[frames.length - 1]) { encoded.__return__ = enc(ret, heap); names.push('__return__'); }
      stack.push({ func_name: f.fn, frame_id: f.id, is_highlighted: f === frames[frames.length - 1], ordered_varnames: names, encoded_locals: encoded });
    }
    const top = frames[frames.length - 1];
    let text = JSON.stringify({ i, ev, line, fn: top.fn, depth: frames.length - 1, func_name: top.fn, stack_to_render: stack, heap, stdout });
    if (text.length > MAX_FRAME - 64) text = JSON.stringify({ i, ev, line, fn: top.fn, depth: frames.length - 1, truncated: true });
    pend.push(text);
    pendBytes += text.length;
    i++;
    if (i === 1 || pend.length >= batch || pendBytes > MAX_FRAME >> 1 || ((i & 63) === 0 && performance.now() - last > 20)) flush();
  };

  globalThis.__s = (line, get) => {
    frames[frames.length - 1].get = get;
    step('line', line);
  };
  globalThis.__c = (fn, line, get) => {
    frames.push({ fn, id: nextFrame++, get });
    step('call', line);
  };
  globalThis.__r = (line, v) => {
    step('return', line, v);
    return v;
  };
  globalThis.__x = () => {
    frames.pop();
  };
  globalThis.console = { log: (...a) => { stdout += a.map(String).join(' ') + '\n'; } };

  let code;
  try {
    code = instrument(job.code);
  } catch (e) {
    finish('error', { type: 'SyntaxError', message: String(e.message), line: (e.loc && e.loc.line) || 0 });
  }
  try {
    vm.runInThisContext('(function(){' + code + '\n})()', { filename: 'main.js' });
  } catch (e) {
    finish('error', { type: (e && e.name) || 'Error', message: String(e && e.message), line: 0 });
  }
  finish('ok');
}

main();
