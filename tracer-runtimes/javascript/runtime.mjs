// The trace's hot core: the hooks instrumented code calls on every step, write and call, the frame stack, heap
// tracking by identity, change detection and the step writer, one closure (createRuntime) on purpose.
//
// Design for speed:
//  * a step hook receives the values of the bindings visible at that point
//    (`...vals`) and compares them by identity with the frame's previous
//    values (the previous `vals` array is kept as the shadow: no copying);
//  * containers are only re-examined when a write barrier (member
//    assignment, mutating native call) marked them dirty, and then only the
//    written key when possible;
//  * steps are written as JSON text straight into the frame buffer (the
//    header of each (function, depth, line, event) is cached as bytes);
//    nothing is kept after a flush.
//
// The state is closure variables because V8 optimises a closure's context slots best, and load() resets them so the
// warm-up's optimised hooks serve the job (tracer.mjs, warm-up.mjs). So:
//  * do not turn these functions into methods or module-level code, or move a function a hook calls out of the
//    closure, without bench/tracer's A/B before and after (ab.ts: one run, medians of 9, CPU µs per step; the trace
//    bytes identical);
//  * simpleStep is a hand-inlined copy of emit's common case (a line step that only sets variables or stores into
//    one list): change them together (tests/integration/js-frames.test.ts checks both near a full frame);
//  * what does not run per step or need this state (instrumenting, the learner's stdio, viz's API, the channel,
//    the modes) lives in the modules around this one (README.md's table).

import util from 'node:util';
import { FrameTooLarge } from './channel.mjs';
import { pieceEnd } from './output.mjs';

const { isProxy, isMap, isSet, isTypedArray, isDate, isRegExp, isPromise, isWeakMap, isWeakSet,
  isGeneratorObject, isNativeError, isBoxedPrimitive, isAnyArrayBuffer, isDataView, isMapIterator,
  isSetIterator, isModuleNamespaceObject } = util.types;
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const getPrototypeOf = Reflect.getPrototypeOf;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapSize = getOwnPropertyDescriptor(Map.prototype, 'size').get;
const setSize = getOwnPropertyDescriptor(Set.prototype, 'size').get;
const fnToString = Function.prototype.toString;
const symToString = Symbol.prototype.toString;

export const HOLE = Symbol('tracecast.hole');
const ACCESSOR = Symbol('tracecast.accessor');
const WHOLE = -1;
const PUSHED = -2;

const SP_UNDEF = Object.freeze({ sp: 'undefined' });
const SP_NAN = Object.freeze({ sp: 'nan' });
const SP_INF = Object.freeze({ sp: 'inf' });
const SP_NINF = Object.freeze({ sp: '-inf' });

// heap kinds
const LIST = 0, OBJECT = 1, MAP = 2, SET = 3, FUNC = 4, OTHER = 5;

class Frame {
  constructor(fnId, fn, parent) {
    this.id = 0;
    this.fnId = fnId;
    this.fn = fn;
    this.parent = parent;
    this.depth = 0;
    this.vid = 0;
    this.sh = null;       // raw values of the current view (the last hook's vals array)
    this.order = null;    // displayed names, in client order
    this.line = 0;
    this.onStack = false;
    this.onClient = false;
    this.pushStep = -1;
    this.hasRet = false;
    this.rv = undefined;
    this.pre = null;      // simpleStep(): name -> the `[frame,name,` of a set entry, as bytes
  }
}
// learner code holds frame records in consts: give it nothing to climb through
Object.setPrototypeOf(Frame.prototype, null);

class Entry {
  constructor(id, obj, kind) {
    this.id = id;
    this.obj = obj;
    this.kind = kind;
    this.ref = { r: id };
    this.refJ = '{"r":' + id + '}';
    this.sh = null;       // list: items; object: values; map: values; set: items; other: repr
    this.keys = null;     // object/map: shown keys
    this.len = 0;
    this.p = null;        // pending patch
    this.mark = 0;
    this.dead = false;
  }
}

// lone surrogates (not encodable as UTF-8) become U+FFFD
function wf(t) { return t.isWellFormed() ? t : t.toWellFormed(); }

function same(a, b) { return a === b || (a !== a && b !== b); }

/**
 * @param {object} o
 *   job, meta ({fns, views, uidNames, closureUids}), channel, ctxGlobal, code (the instrumented program),
 *   maxDepth, finish(status, error), makeRangeError(msg), makeTypeError(msg), sloppyStore(obj, key, value) and
 *   strictStore(obj, key, value) (`obj[key] = value` compiled in the learner's realm, sloppy and strict).
 *   load(o) starts another job with the same hooks: job, meta, channel, ctxGlobal and code again.
 */
export function createRuntime(o) {
  // Everything a job sets or changes lives in these variables, (re)set by load(): one runtime can trace a warm-up
  // program and then the job with the same hook closures, so that the job starts with hooks V8 has already optimised
  // (tracer.mjs; a second runtime's closures would start cold).
  let job, meta, channel, code, maxSteps, maxItems, maxString, K, full, naive, batchSteps, ctxGlobal, fns, closureUids;
  let views, EMPTY_VIEW;
  const maxDepth = o.maxDepth || 10000;
  // called as plain functions: a method call would make `o` the receiver a learner setter's call site can get
  const { sloppyStore, strictStore } = o;

  // stack state
  let n;                      // steps emitted
  let stack, top;
  let keep;                   // low-water mark of the stack since the last step
  let client, clientIds;      // frames as the client has them
  let nextFrameId;
  let pend;                   // something beyond the bare step is pending
  // pending variable changes: flat [frame, name, raw] for compares, [frame, name] for barriers
  let cs, bs, cd, csN, bsN, cdN;

  // heap state
  let tracked;                // object -> Entry
  let ids;                    // object -> id, stable for the object's lifetime
  let symIds, nextObjId, newQ, updQ, dqE, dqK, epoch, gcAt, clsCache, fnLineCache, nameJCache;

  // batching, step text
  let lastFlush, pendingOut;  // pendingOut: {stream, text, step}
  let startedAt;              // when the job was loaded: `perf` samples count from it
  let heads, headCount;
  let pos, wcount;            // the pending steps end at wbuf[pos]; how many there are
  let lastFn, lastDepth;      // the fn and depth of the previous step: a line step with the same needs not name them
  // Learner code can run while a step is being encoded (an index getter on Array.prototype read through an array hole,
  // say): its hooks see `busy` and do nothing, so it runs untraced and cannot re-enter the encoder. busyOut: the
  // output it wrote meanwhile; halted: why the run must end (halt()).
  let busy, busyOut, halted;
  // exceptions
  let reported;               // error object -> line
  let primReported, lastPrim, lastPrimLine;

  function load(jobOpts) {
    ({ job, meta, channel, code, ctxGlobal } = jobOpts);
    maxSteps = job.maxSteps;
    maxItems = Math.max(0, job.maxItems | 0);
    maxString = Math.max(0, job.maxString | 0);
    K = Math.max(1, job.keyframeEvery | 0);
    full = !!job.full;
    naive = !!job.naive;          // benchmark baseline only
    batchSteps = Math.max(1, job.batchSteps | 0);
    fns = meta.fns;
    closureUids = meta.closureUids;
    // views: names, uids, name -> index, uid -> index, transition cache
    views = meta.views.map(v => {
      const idx = new Map();
      const uidIdx = new Map();
      v.names.forEach((name, k) => idx.set(name, k));
      v.uids.forEach((u, k) => uidIdx.set(u, k));
      return { names: v.names, namesJ: v.names.map(x => JSON.stringify(x)), uids: v.uids, n: v.names.length, idx, uidIdx, trans: new Map() };
    });
    EMPTY_VIEW = { names: [], namesJ: [], uids: [], n: 0, idx: new Map(), uidIdx: new Map(), trans: new Map() };
    n = 0; stack = []; top = null; keep = 0; client = []; clientIds = []; nextFrameId = 1; pend = false;
    cs = []; bs = []; cd = []; csN = bsN = cdN = 0;
    tracked = new Map(); ids = new WeakMap(); symIds = new Map(); nextObjId = 1;
    newQ = []; updQ = []; dqE = []; dqK = []; epoch = 0; gcAt = 4096;
    clsCache = new WeakMap(); fnLineCache = new Map(); nameJCache = new Map();
    lastFlush = startedAt = performance.now(); pendingOut = null;
    heads = []; headCount = 0;
    resetBuf();
    lastFn = null; lastDepth = -1;
    busy = false; busyOut = null; halted = null;
    reported = new WeakMap(); primReported = false; lastPrim = undefined; lastPrimLine = 0;
  }

  // ------------------------------------------------------------ values
  // valJ: the Value as JSON text (hot paths); val: as a JS value (keyframes,
  // heap objects, viz payloads — serialised with JSON.stringify)
  const stringify = JSON.stringify;
  function valJ(x) {
    switch (typeof x) {
      case 'number':
        if (x - x === 0) return '' + x;
        return x !== x ? '{"sp":"nan"}' : (x > 0 ? '{"sp":"inf"}' : '{"sp":"-inf"}');
      case 'string':
        if (!x.isWellFormed()) x = x.toWellFormed();
        return x.length <= maxString ? stringify(x) : stringify({ sp: 'str', v: wf(x.slice(0, maxString)), len: x.length });
      case 'boolean': return x ? 'true' : 'false';
      case 'undefined': return '{"sp":"undefined"}';
      case 'object':
        if (x === null) return 'null';
      // fallthrough
      case 'function': {
        const e = tracked.get(x);
        return e !== undefined ? e.refJ : track(x).refJ;
      }
      default: return stringify(val(x));
    }
  }

  function nameJ(name) {
    let j = nameJCache.get(name);
    if (j === undefined) { j = stringify(name); nameJCache.set(name, j); }
    return j;
  }

  function val(x) {
    switch (typeof x) {
      case 'number':
        if (x - x === 0) return x;
        return x !== x ? SP_NAN : (x > 0 ? SP_INF : SP_NINF);
      case 'string':
        if (!x.isWellFormed()) x = x.toWellFormed();
        return x.length <= maxString ? x : { sp: 'str', v: wf(x.slice(0, maxString)), len: x.length };
      case 'boolean': return x;
      case 'undefined': return SP_UNDEF;
      case 'object':
        if (x === null) return null;
      // fallthrough
      case 'function': {
        const e = tracked.get(x);
        return e !== undefined ? e.ref : track(x).ref;
      }
      case 'bigint': return { sp: 'bigint', v: x.toString() };
      case 'symbol':
        if (x === ACCESSOR) return '[accessor]';
        if (x === HOLE) return SP_UNDEF;
        {
          const e = tracked.get(x);
          return e !== undefined ? e.ref : track(x).ref;
        }
      default: return null;
    }
  }

  function idOf(x) {
    if (typeof x === 'symbol') {
      let id = symIds.get(x);
      if (id === undefined) { id = nextObjId++; symIds.set(x, id); }
      return id;
    }
    let id = ids.get(x);
    if (id === undefined) { id = nextObjId++; ids.set(x, id); }
    return id;
  }

  function classify(x) {
    if (typeof x === 'function') return FUNC;
    if (typeof x === 'symbol') return OTHER;
    if (isProxy(x)) return OTHER;
    if (isArray(x) || isTypedArray(x)) return LIST;
    if (isMap(x)) return MAP;
    if (isSet(x)) return SET;
    if (x === ctxGlobal || isDate(x) || isRegExp(x) || isPromise(x) || isWeakMap(x) || isWeakSet(x) ||
      isGeneratorObject(x) || isNativeError(x) || isBoxedPrimitive(x) || isAnyArrayBuffer(x) ||
      isDataView(x) || isMapIterator(x) || isSetIterator(x) || isModuleNamespaceObject(x)) return OTHER;
    return OBJECT;
  }

  function track(x) {
    const e = new Entry(idOf(x), x, classify(x));
    tracked.set(x, e);
    newQ.push(e);
    return e;
  }

  function className(x) {
    const p = getPrototypeOf(x);
    if (p === null) return 'Object';
    let c = clsCache.get(p);
    if (c !== undefined) return c;
    c = 'Object';
    const d = getOwnPropertyDescriptor(p, 'constructor');
    if (d !== undefined && typeof d.value === 'function') {
      const nd = getOwnPropertyDescriptor(d.value, 'name');
      if (nd !== undefined && typeof nd.value === 'string' && nd.value) c = nd.value;
    }
    clsCache.set(p, c);
    return c;
  }

  function ownValue(x, k) {
    const d = getOwnPropertyDescriptor(x, k);
    if (d === undefined) return undefined;
    return (d.get !== undefined || d.set !== undefined) ? ACCESSOR : d.value;
  }

  function fnName(f) {
    const d = getOwnPropertyDescriptor(f, 'name');
    return d !== undefined && typeof d.value === 'string' ? d.value : '';
  }

  function fnLine(f) {
    let text;
    try { text = fnToString.call(f); } catch { return undefined; }
    let line = fnLineCache.get(text);
    if (line !== undefined) return line === 0 ? undefined : line;
    line = 0;
    const pos = code ? code.indexOf(text) : -1;
    if (pos >= 0) {
      line = 1;
      for (let i = code.indexOf('\n'); i >= 0 && i < pos; i = code.indexOf('\n', i + 1)) line++;
    }
    if (fnLineCache.size < 10000) fnLineCache.set(text, line);
    return line === 0 ? undefined : line;
  }

  function reprOf(x) {
    let s;
    try {
      if (typeof x === 'symbol') s = symToString.call(x);
      else if (x === ctxGlobal) s = 'globalThis';
      else if (isNativeError(x)) {
        const nm = ownValue(x, 'name');
        const msg = ownValue(x, 'message');
        s = (typeof nm === 'string' ? nm : className(x)) + (typeof msg === 'string' && msg ? ': ' + msg : '');
      } else {
        s = util.inspect(x, { depth: 0, customInspect: false, showProxy: false, getters: false, breakLength: Infinity, maxArrayLength: 10, maxStringLength: maxString });
      }
    } catch { s = '?'; }
    return wf(s.length > maxString ? s.slice(0, maxString) : s);
  }

  function otherCls(x) {
    if (typeof x === 'symbol') return 'Symbol';
    if (isProxy(x)) return 'Proxy';
    if (x === ctxGlobal) return 'global';
    try { return className(x); } catch { return 'Object'; }
  }

  // Read the object now, set its shadow, return its HeapObj.
  function build(e) {
    const x = e.obj;
    const m = maxItems;
    switch (e.kind) {
      case LIST: {
        const len = x.length;
        const k = len < m ? len : m;
        const sh = new Array(k);
        const items = new Array(k);
        for (let i = 0; i < k; i++) { const v = x[i]; sh[i] = v; items[i] = val(v); }
        e.sh = sh; e.len = len;
        return { k: 'list', items, len };
      }
      case OBJECT: {
        const keys = objectKeys(x);
        const len = keys.length;
        const k = len < m ? len : m;
        if (k < len) keys.length = k;
        const sh = new Array(k);
        const fields = new Array(k);
        for (let i = 0; i < k; i++) { const v = ownValue(x, keys[i]); sh[i] = v; fields[i] = [wf(keys[i]), val(v)]; }
        e.keys = keys; e.sh = sh; e.len = len;
        return { k: 'object', cls: className(x), fields, len };
      }
      case MAP: {
        const len = mapSize.call(x);
        const it = mapEntries.call(x);
        const keys = [], sh = [], entries = [];
        for (let i = 0; i < m; i++) {
          const r = it.next();
          if (r.done) break;
          const kv = r.value;
          keys.push(kv[0]); sh.push(kv[1]);
          entries.push([val(kv[0]), val(kv[1])]);
        }
        e.keys = keys; e.sh = sh; e.len = len;
        return { k: 'map', entries, len };
      }
      case SET: {
        const len = setSize.call(x);
        const it = setValues.call(x);
        const sh = [], items = [];
        for (let i = 0; i < m; i++) {
          const r = it.next();
          if (r.done) break;
          sh.push(r.value); items.push(val(r.value));
        }
        e.sh = sh; e.len = len;
        return { k: 'set', items, len };
      }
      case FUNC: {
        const name = fnName(x);
        const line = fnLine(x);
        return line === undefined ? { k: 'function', name } : { k: 'function', name, line };
      }
      default: {
        const repr = reprOf(x);
        e.sh = repr;
        return { k: 'other', cls: otherCls(x), repr };
      }
    }
  }

  // HeapObj from the shadow (used by keyframes, after dirty processing)
  function fromShadow(e) {
    switch (e.kind) {
      case LIST: {
        const sh = e.sh, k = sh.length, items = new Array(k);
        for (let i = 0; i < k; i++) items[i] = val(sh[i]);
        return { k: 'list', items, len: e.len };
      }
      case OBJECT: {
        const sh = e.sh, keys = e.keys, k = sh.length, fields = new Array(k);
        for (let i = 0; i < k; i++) fields[i] = [wf(keys[i]), val(sh[i])];
        return { k: 'object', cls: className(e.obj), fields, len: e.len };
      }
      case MAP: {
        const sh = e.sh, keys = e.keys, k = sh.length, entries = new Array(k);
        for (let i = 0; i < k; i++) entries[i] = [val(keys[i]), val(sh[i])];
        return { k: 'map', entries, len: e.len };
      }
      case SET: {
        const sh = e.sh, k = sh.length, items = new Array(k);
        for (let i = 0; i < k; i++) items[i] = val(sh[i]);
        return { k: 'set', items, len: e.len };
      }
      case FUNC: return build(e);
      default: return { k: 'other', cls: otherCls(e.obj), repr: e.sh };
    }
  }

  function forEachChild(e, f) {
    if (e.kind === FUNC || e.kind === OTHER) return;
    const sh = e.sh;
    for (let i = 0; i < sh.length; i++) { const v = sh[i]; if (v !== null && v !== ACCESSOR && (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol')) f(v); }
    if (e.kind === MAP) {
      const ks = e.keys;
      for (let i = 0; i < ks.length; i++) { const v = ks[i]; if (v !== null && (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol')) f(v); }
    }
  }

  // ------------------------------------------------------------ patches
  function patch(e) {
    let p = e.p;
    if (p === null) { p = e.p = { set: null, del: null, len: -1, full: null }; updQ.push(e); }
    return p;
  }
  // keyJ / vJ are JSON texts
  function pset(e, keyJ, vJ) {
    const p = patch(e);
    if (p.full !== null) return;
    (p.set || (p.set = [])).push('[' + keyJ + ',' + vJ + ']');
  }
  function pfull(e) {
    const p = patch(e);
    p.full = build(e);
    p.set = p.del = null;
    p.len = -1;
  }

  function diffList(e, hint) {
    const x = e.obj;
    const len = x.length;
    const k = len < maxItems ? len : maxItems;
    const sh = e.sh;
    const ok = sh.length;
    const lim = k < ok ? k : ok;
    let changes = 0;
    for (let i = (hint === PUSHED && len >= e.len) ? lim : 0; i < lim; i++) {
      const v = x[i];
      const s = sh[i];
      if (v !== s && (v === v || s === s)) { sh[i] = v; changes++; if (changes <= 16 || changes * 2 <= k) pset(e, '' + i, valJ(v)); }
    }
    if (changes > 16 && changes * 2 > k) {
      e.len = len;
      pfull(e);
      return;
    }
    if (k > ok) for (let i = ok; i < k; i++) { const v = x[i]; sh.push(v); pset(e, '' + i, valJ(v)); }
    else if (k < ok) sh.length = k;
    if (len !== e.len) { e.len = len; patch(e).len = len; }
  }

  // an index the client has of list e (the items past maxItems are not shown)
  function shownIndex(e, i) { return i >= 0 && i < e.sh.length && (i | 0) === i; }

  function diffListKey(e, key) {
    let i;
    if (typeof key === 'number') i = key;
    else if (typeof key === 'string') {
      if (key === 'length') return diffList(e, WHOLE);
      i = +key;
      if (!(String(i) === key)) return; // non-index property: not shown
    } else return;
    const x = e.obj;
    if (x.length !== e.len) return diffList(e, WHOLE);
    if (shownIndex(e, i)) {
      const v = x[i];
      const s = e.sh[i];
      if (v !== s && (v === v || s === s)) { e.sh[i] = v; pset(e, '' + i, valJ(v)); }
    }
  }

  function keyIndex(keys, k) {
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return i;
    return -1;
  }
  function keyIndexSVZ(keys, k) {
    for (let i = 0; i < keys.length; i++) { const q = keys[i]; if (q === k || (q !== q && k !== k)) return i; }
    return -1;
  }

  function diffObjKey(e, key) {
    if (typeof key === 'number') key = String(key);
    else if (typeof key !== 'string') return; // symbol keys are not shown
    const i = keyIndex(e.keys, key);
    if (i < 0) return diffObj(e);
    const d = getOwnPropertyDescriptor(e.obj, key);
    if (d === undefined || !d.enumerable) return diffObj(e);
    const v = (d.get !== undefined || d.set !== undefined) ? ACCESSOR : d.value;
    const s = e.sh[i];
    if (v !== s && (v === v || s === s)) { e.sh[i] = v; pset(e, stringify(wf(key)), valJ(v)); }
  }

  // shared by objects and maps: old shown keys -> new shown keys
  // returns false when the client cannot reach the new order with set/del
  function keyedPatch(e, nkeys, nvals, len, svz, encodeKey) {
    const okeys = e.keys, ovals = e.sh;
    const find = svz ? keyIndexSVZ : keyIndex;
    // surviving old keys must be a prefix of the new keys, in order;
    // everything after that prefix must be new
    let j = 0;
    const dels = [];
    const surv = [];
    for (let i = 0; i < okeys.length; i++) {
      const k = okeys[i];
      if (j < nkeys.length) {
        const nk = nkeys[j];
        if (nk === k || (svz && k !== k && nk !== nk)) { surv.push(i); j++; continue; }
      }
      if (find(nkeys, k) >= 0) return false;
      dels.push(i);
    }
    for (let q = j; q < nkeys.length; q++) if (find(okeys, nkeys[q]) >= 0) return false;
    for (let q = 0; q < nkeys.length; q++) {
      const v = nvals[q];
      if (q < j) {
        const s = ovals[surv[q]];
        if (v !== s && (v === v || s === s)) pset(e, encodeKey(nkeys[q]), valJ(v));
      } else pset(e, encodeKey(nkeys[q]), valJ(v));
    }
    if (dels.length) {
      const p = patch(e);
      if (p.full === null) {
        const d = p.del || (p.del = []);
        for (const i of dels) d.push(encodeKey(okeys[i]));
      }
    }
    e.keys = nkeys; e.sh = nvals;
    if (len !== e.len) { e.len = len; const p = patch(e); if (p.full === null) p.len = len; }
    return true;
  }

  const idKey = k => stringify(wf(k));

  function diffObj(e) {
    const x = e.obj;
    const keys = objectKeys(x);
    const len = keys.length;
    const k = len < maxItems ? len : maxItems;
    if (k < len) keys.length = k;
    const vals = new Array(k);
    for (let i = 0; i < k; i++) vals[i] = ownValue(x, keys[i]);
    if (!keyedPatch(e, keys, vals, len, false, idKey)) pfull(e);
  }

  function diffMap(e) {
    const x = e.obj;
    const len = mapSize.call(x);
    const it = mapEntries.call(x);
    const keys = [], vals = [];
    for (let i = 0; i < maxItems; i++) {
      const r = it.next();
      if (r.done) break;
      keys.push(r.value[0]); vals.push(r.value[1]);
    }
    if (!keyedPatch(e, keys, vals, len, true, valJ)) pfull(e);
  }

  function diffSet(e) {
    const x = e.obj;
    const len = setSize.call(x);
    const sh = e.sh;
    let changed = len !== e.len;
    if (!changed) {
      const it = setValues.call(x);
      for (let i = 0; i < sh.length; i++) {
        const r = it.next();
        if (r.done || !same(r.value, sh[i])) { changed = true; break; }
      }
      if (!changed && sh.length < maxItems && !it.next().done) changed = true;
    }
    if (changed) pfull(e);
  }

  function diffOther(e) {
    const r = reprOf(e.obj);
    if (r !== e.sh) pfull(e);
  }

  function processDirty() {
    const E = dqE, Kk = dqK;
    dqE = []; dqK = [];
    for (let i = 0; i < E.length; i++) {
      const e = E[i];
      if (e.dead || e.sh === null || (e.p !== null && e.p.full !== null)) continue;
      const key = Kk[i];
      switch (e.kind) {
        case LIST: if (key === WHOLE || key === PUSHED) diffList(e, key); else diffListKey(e, key); break;
        case OBJECT: if (key === WHOLE) diffObj(e); else diffObjKey(e, key); break;
        case MAP: diffMap(e); break;
        case SET: diffSet(e); break;
        case OTHER: diffOther(e); break;
        default: break;
      }
    }
  }

  // ------------------------------------------------------------ frames
  function frameVars(F) {
    const order = F.order, v = views[F.vid] || EMPTY_VIEW, sh = F.sh;
    const out = new Array(order.length);
    for (let i = 0; i < order.length; i++) {
      const name = order[i];
      out[i] = [name, val(sh[v.idx.get(name)])];
    }
    return out;
  }

  function frameOut(F) {
    return { id: F.id, fn: F.fn, vars: frameVars(F) };
  }

  function frameText(F) {
    const order = F.order, v = views[F.vid] || EMPTY_VIEW, sh = F.sh;
    let t = '{"id":' + F.id + ',"fn":' + nameJ(F.fn) + ',"vars":[';
    for (let i = 0; i < order.length; i++) {
      const name = order[i];
      t += (i ? ',[' : '[') + nameJ(name) + ',' + valJ(sh[v.idx.get(name)]) + ']';
    }
    return t + ']}';
  }

  // ',{"ev":..,"fn":..,"depth":..' of a step that names its header (CHANNEL.md, the compact
  // form), cached per (function, depth, event), a bounded number of them
  const EVS = ['line', 'call', 'return', 'exception', 'viz'];
  function headOf(F, evc) {
    let byDepth = heads[F.fnId];
    if (byDepth === undefined) byDepth = heads[F.fnId] = [];
    let hs = byDepth[F.depth];
    if (hs === undefined) hs = byDepth[F.depth] = [];
    let h = hs[evc];
    if (h === undefined) {
      h = ',{"ev":"' + EVS[evc] + '","fn":' + nameJ(F.fn) + ',"depth":' + F.depth;
      if (headCount < 65536) { hs[evc] = h; headCount++; }
    }
    return h;
  }

  function initialOrder(view, vals) {
    const names = view.names;
    const order = [];
    for (let k = 0; k < vals.length; k++) if (vals[k] !== HOLE) order.push(names[k]);
    return order;
  }

  function pushFrame(F) {
    F.id = nextFrameId++;
    F.pre = null;         // its set prefixes name the old id (a generator's frame is pushed again on each resume)
    F.depth = stack.length;
    F.onStack = true;
    F.onClient = false;
    stack.push(F);
    top = F;
    pend = true;
  }

  function popTop() {
    const f = stack.pop();
    f.onStack = false;
    const L = stack.length;
    top = L > 0 ? stack[L - 1] : null;
    if (L < keep) keep = L;
    pend = true;
  }

  function repair(F) {
    if (F.onStack) { while (top !== F) popTop(); }
    else pushFrame(F); // resumed (generator/async) frame: new id
  }

  function orderRemove(F, name) {
    const ord = F.order;
    const i = ord.indexOf(name);
    if (i >= 0) ord.splice(i, 1);
  }

  function changed(F, names, k, v, old) {
    const name = names[k];
    if (v === HOLE) {
      orderRemove(F, name);
      if (F.onClient) { cd[cdN++] = F; cd[cdN++] = name; }
    } else {
      if (old === HOLE) F.order.push(name);
      if (F.onClient) { cs[csN++] = F; cs[csN++] = name; cs[csN++] = v; }
    }
    pend = true;
  }

  function transition(ov, nv) {
    let t = ov.trans.get(nv);
    if (t === undefined) {
      const map = new Int32Array(nv.n);
      for (let j = 0; j < nv.n; j++) {
        const oi = ov.idx.get(nv.names[j]);
        map[j] = oi === undefined ? -1 : oi;
      }
      const gone = [];
      for (let i = 0; i < ov.n; i++) if (!nv.idx.has(ov.names[i])) gone.push(i);
      t = { map, gone };
      ov.trans.set(nv, t);
    }
    return t;
  }

  function compare(F, vid, vals) {
    const sh = F.sh;
    if (F.vid === vid) {
      const names = views[vid].names;
      for (let k = 0; k < vals.length; k++) {
        const v = vals[k];
        const s = sh[k];
        if (v !== s && (v === v || s === s)) changed(F, names, k, v, s);
      }
    } else {
      const ov = views[F.vid] || EMPTY_VIEW, nv = views[vid];
      const t = transition(ov, nv);
      const map = t.map, names = nv.names;
      for (let j = 0; j < vals.length; j++) {
        const oi = map[j];
        const s = oi >= 0 ? sh[oi] : HOLE;
        const v = vals[j];
        if (v !== s && (v === v || s === s)) changed(F, names, j, v, s);
      }
      const gone = t.gone;
      for (let q = 0; q < gone.length; q++) {
        const i = gone[q];
        if (sh[i] !== HOLE) changed(F, ov.names, i, HOLE, sh[i]);
      }
      F.vid = vid;
      pend = true;
    }
    F.sh = vals;
  }

  // a binding owned by frame G changed (written from another function)
  function displayUpdate(G, uid, v) {
    const view = views[G.vid];
    if (view === undefined) return;
    const k = view.uidIdx.get(uid);
    if (k === undefined) return;
    const s = G.sh[k];
    if (v === s || (v !== v && s !== s)) return;
    G.sh[k] = v;
    const name = view.names[k];
    if (s === HOLE) G.order.push(name);
    if (G.onClient) { bs[bsN++] = G; bs[bsN++] = name; }
    pend = true;
  }

  // ------------------------------------------------------------ GC
  function markFrom(roots) {
    epoch++;
    const q = [];
    const visit = x => {
      const e = tracked.get(x);
      if (e !== undefined && e.mark !== epoch) { e.mark = epoch; q.push(e); }
    };
    for (let i = 0; i < stack.length; i++) {
      const F = stack[i];
      const sh = F.sh;
      for (let k = 0; k < sh.length; k++) {
        const v = sh[k];
        if (v !== null && (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol')) visit(v);
      }
    }
    if (roots) for (const r of roots) if (r !== null && (typeof r === 'object' || typeof r === 'function' || typeof r === 'symbol')) visit(r);
    for (let i = 0; i < q.length; i++) { if (q[i].sh !== null) forEachChild(q[i], visit); }
    return q;
  }

  function sweep(collectIds) {
    const freed = collectIds ? [] : null;
    for (const [x, e] of tracked) {
      if (e.mark !== epoch) {
        tracked.delete(x);
        e.dead = true;
        if (freed && e.sh !== null) freed.push(e.id);
      }
    }
    return freed;
  }

  // ------------------------------------------------------------ steps
  function drainNew(out) {
    for (let i = 0; i < newQ.length; i++) {
      const e = newQ[i];
      const h = build(e);
      if (out !== null) out.push([e.id, h]);
    }
    newQ = [];
  }

  // returns ',"pop":..,"push":[..]' (or '' / nothing for keyframes)
  function syncStack(i, isKf) {
    let t = '';
    const clientLen = client.length;
    if (keep < clientLen) {
      for (let j = keep; j < clientLen; j++) {
        const f = client[j];
        if (f.id === clientIds[j] && f.pushStep !== i) f.onClient = false;
      }
      client.length = keep;
      clientIds.length = keep;
      if (!isKf) t = ',"pop":' + (clientLen - keep);
    }
    if (stack.length > keep) {
      let push = '';
      for (let j = keep; j < stack.length; j++) {
        const f = stack[j];
        f.onClient = true;
        f.pushStep = i;
        client.push(f);
        clientIds.push(f.id);
        if (!isKf) push += (push ? ',' : '') + frameText(f);
      }
      if (!isKf) t += ',"push":[' + push + ']';
    }
    keep = stack.length;
    return t;
  }

  function varChanges(i, isKf) {
    let set = '', del = '';
    if (!isKf) {
      for (let q = 0; q < csN; q += 3) {
        const F = cs[q];
        if (!F.onClient || F.pushStep === i) continue;
        set += (set ? ',[' : '[') + F.id + ',' + nameJ(cs[q + 1]) + ',' + valJ(cs[q + 2]) + ']';
      }
      for (let q = 0; q < bsN; q += 2) {
        const F = bs[q];
        if (!F.onClient || F.pushStep === i) continue;
        const name = bs[q + 1];
        const view = views[F.vid];
        const k = view ? view.idx.get(name) : undefined;
        if (k === undefined || F.sh[k] === HOLE) continue;
        set += (set ? ',[' : '[') + F.id + ',' + nameJ(name) + ',' + valJ(F.sh[k]) + ']';
      }
      for (let q = 0; q < cdN; q += 2) {
        const F = cd[q];
        if (!F.onClient || F.pushStep === i) continue;
        del += (del ? ',[' : '[') + F.id + ',' + nameJ(cd[q + 1]) + ']';
      }
    }
    clearChanges();
    return (set ? ',"set":[' + set + ']' : '') + (del ? ',"del":[' + del + ']' : '');
  }

  // the pending variable changes are taken: drop their references to raw values so they can be collected
  function clearChanges() {
    for (let q = 0; q < csN; q++) cs[q] = undefined;
    for (let q = 0; q < bsN; q++) bs[q] = undefined;
    csN = bsN = cdN = 0;
  }

  const isRef = v => v !== null && v !== HOLE && v !== ACCESSOR && (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol');

  // [[id, object], ...]: every object reachable from the roots roots(visit) visits, encoded
  function reachHeap(roots) {
    epoch++;
    const q = [];
    const visit = x => {
      let e = tracked.get(x);
      if (e === undefined) e = track(x);
      if (e.mark !== epoch) { e.mark = epoch; q.push(e); }
    };
    roots(x => { if (isRef(x)) visit(x); });
    const heap = [];
    for (let j = 0; j < q.length; j++) {
      const e = q[j];
      heap.push([e.id, (naive || e.sh === null || e.kind === FUNC) ? build(e) : fromShadow(e)]);
      forEachChild(e, visit);
    }
    return heap;
  }

  // x's Value and the objects it reaches (the end frame's entry call result)
  function valueWithHeap(x) {
    return { value: val(x), heap: reachHeap(visit => visit(x)) };
  }

  function keyframe(extraRoots) {
    const frames = new Array(stack.length);
    for (let j = 0; j < stack.length; j++) frames[j] = frameOut(stack[j]);
    const heap = reachHeap(visit => {
      for (let j = 0; j < stack.length; j++) {
        const sh = stack[j].sh;
        for (let k = 0; k < sh.length; k++) visit(sh[k]);
      }
      if (extraRoots) for (const r of extraRoots) visit(r);
    });
    newQ = [];
    sweep(false);
    gcAt = Math.max(4096, tracked.size * 2);
    return { stack: frames, heap };
  }

  function extraText(extraKey, extraRaw) {
    if (extraKey === 'ret') return ',"ret":' + valJ(extraRaw);
    if (extraKey === 'viz') return ',"viz":' + stringify(extraRaw) + ',"perf":' + perfJ();
    return ',"' + extraKey + '":' + stringify(extraRaw);
  }

  // A step's `perf` sample (CHANNEL.md): ms since the job was loaded, resident memory now.
  function perfJ() {
    return '{"ms":' + Math.round((performance.now() - startedAt) * 1000) / 1000 + ',"memKb":' + Math.round(process.memoryUsage.rss() / 1024) + '}';
  }

  // the delta part of step i as JSON text (starting with ',')
  function finishStep(i, isKf, extraKey, extraRaw, extraRoots) {
    if (naive) {
      syncStack(i, true);
      csN = bsN = cdN = 0; dqE = []; dqK = [];
      const ex = extraKey !== null ? extraText(extraKey, extraRaw) : '';
      pend = false;
      return ex + ',"kf":' + stringify(keyframe(extraRoots));
    }
    let t = (keep < client.length || stack.length > keep) ? syncStack(i, isKf) : '';
    if (csN !== 0 || bsN !== 0 || cdN !== 0) t += varChanges(i, isKf);
    if (extraKey !== null) t += extraText(extraKey, extraRaw);
    if (dqE.length) processDirty();
    if (isKf) {
      drainNew(null);
      for (const e of updQ) e.p = null;
      updQ = [];
      pend = false;
      return (extraKey !== null ? extraText(extraKey, extraRaw) : '') + ',"kf":' + stringify(keyframe(extraRoots));
    }
    let news = null;
    if (newQ.length) { news = []; drainNew(news); }
    if (updQ.length) {
      let upd = '';
      for (const e of updQ) {
        const p = e.p;
        e.p = null;
        if (e.dead) continue;
        if (p.full !== null) { upd += (upd ? ',[' : '[') + e.id + ',{"full":' + stringify(p.full) + '}]'; continue; }
        let body = '';
        if (p.len >= 0) body = '"len":' + p.len;
        if (p.set !== null) body += (body ? ',"set":[' : '"set":[') + p.set.join(',') + ']';
        if (p.del !== null) body += (body ? ',"del":[' : '"del":[') + p.del.join(',') + ']';
        if (body) upd += (upd ? ',[' : '[') + e.id + ',{' + body + '}]';
      }
      updQ = [];
      if (newQ.length) drainNew(news || (news = []));
      if (upd) t += ',"upd":[' + upd + ']';
    }
    if (news !== null && news.length) t += ',"new":' + stringify(news);
    if (tracked.size > gcAt) {
      markFrom(extraRoots);
      const freed = sweep(true);
      gcAt = Math.max(4096, tracked.size * 2);
      if (freed.length) t += ',"free":[' + freed.join(',') + ']';
    }
    pend = false;
    return t;
  }

  // Steps are written as UTF-8 straight into the frame, in the compact form (CHANNEL.md):
  //   [len:4]{"t":"steps","steps":[ step , step ... ],"first":N}
  // one native write per frame. The commonest steps (a bare line; a line whose only changes are primitives in variables
  // or in one list: simpleStep) are written byte by byte, with no string made; kept as text (ropes of the steps' strings, flattened and
  // encoded at each flush) they cost a fifth of a bubble sort's time.
  const FRAME_MAX = 1048576;
  const wbuf = Buffer.allocUnsafe(4 + FRAME_MAX);
  const STEPS_AT = 4 + wbuf.write('{"t":"steps","steps":[', 4, 'latin1');
  const END = 4 + FRAME_MAX - 32;         // the steps end before this: `],"first":N}` follows them
  const SET_OPEN = Buffer.from('"set":['), UPD_OPEN = Buffer.from('"upd":[['), FIRST_OPEN = Buffer.from('],"first":');
  function resetBuf() { pos = STEPS_AT; wcount = 0; }

  // A non-negative int32 as its decimal digits (String(x)); the caller has checked the room (16 bytes). Int32
  // arithmetic throughout: a double's `%` is a call into C.
  function putDigits(x) {
    let v = x | 0;
    if (v < 10) { wbuf[pos++] = 48 + v; return; }
    const n = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7
      : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    let p = pos + n;
    pos = p;
    do { const q = (v / 10) | 0; wbuf[--p] = 48 + v - q * 10; v = q; } while (v !== 0);
  }

  // A number as valJ() writes it; the caller has checked the room (32 bytes).
  function putNumber(x) {
    if (x >= 0 && x <= 2147483647 && x === (x | 0)) putDigits(x); // -0 too: '0', as String(-0)
    else if (x < 0 && x > -2147483648 && x === (x | 0)) { wbuf[pos++] = 45; putDigits(-x); }
    else putText(valJ(x), 0);
  }

  // t from index `from` as UTF-8. False, with nothing written, when it does not fit before END.
  function putText(t, from) {
    const L = t.length;
    if (L - from <= 64 && pos + 3 * (L - from) <= END) {
      // short text: a loop beats the native call, unless a character is not ASCII
      let p = pos, i = from;
      for (; i < L; i++) {
        const c = t.charCodeAt(i);
        if (c >= 128) break;
        wbuf[p++] = c;
      }
      if (i === L) { pos = p; return true; }
    }
    const s = from === 0 ? t : t.substring(from);
    if (pos + 3 * s.length > END && pos + Buffer.byteLength(s, 'utf8') > END) return false;
    pos += wbuf.utf8Write(s, pos);
    return true;
  }

  function putBytes(b) {
    let p = pos;
    for (let j = 0; j < b.length; j++) wbuf[p++] = b[j];
    pos = p;
  }

  // One step, led by ',' after a batch's first: its line alone, [line, {delta}], or [line, {ev, fn, depth, ...delta}]
  // when `headed` (the delta's leading ',' goes when the step is not headed). False, with nothing kept, when it does
  // not fit behind the pending steps.
  function putStep(evc, F, line, delta, headed) {
    const start = pos;
    if (pos + 40 > END) return false;
    if (wcount > 0) wbuf[pos++] = 44;
    if (!headed && delta.length === 0) { putDigits(line); return true; }
    wbuf[pos++] = 91;
    putDigits(line);
    if (headed ? putText(headOf(F, evc), 0) && putText(delta, 0) : (wbuf[pos++] = 44, wbuf[pos++] = 123, putText(delta, 1))) {
      if (pos + 2 <= END) { wbuf[pos++] = 125; wbuf[pos++] = 93; return true; }
    }
    pos = start;
    return false;
  }

  // A number, string, boolean, undefined or null as valJ() writes it. False when it does not fit.
  function putPrim(v) {
    if (typeof v === 'number') {
      if (pos + 32 > END) return false;
      putNumber(v);
      return true;
    }
    return putText(valJ(v), 0);
  }

  function isPrim(v) {
    const t = typeof v;
    return t === 'number' || t === 'string' || t === 'boolean' || t === 'undefined' || v === null;
  }

  const elemVals = [];        // simpleStep(): the stored lists' values, read once; then the values they replaced (primitives)

  // simpleStep() ran out of room after storing the items before index `upTo` of its stores: they are put back for
  // the general path to find, and nothing written is kept
  function undoItems(le, upTo, start) {
    for (let q = upTo - 1; q >= 0; q--) {
      const key = dqK[q];
      if (shownIndex(le, key) && le.sh[key] !== elemVals[q]) le.sh[key] = elemVals[q];
    }
    pos = start;
    return false;
  }

  // The commonest steps, written `,[line,{"set":[[frame,name,value],...],"upd":[[list,{"set":[[index,value],...]}]]}]`
  // straight into the frame: a plain line step whose only changes are primitives in variables (a loop's counter and
  // accumulator) and primitives stored at existing indices of one list (a sort's swaps). Each variable's
  // `[frame,name,` is kept on its frame as bytes. Through finishStep and putStep such a step took dozens of strings
  // made, joined and encoded. False, with nothing done, for any other step, or when it does not fit.
  function simpleStep(i, line) {
    if (bsN !== 0 || cdN !== 0 || newQ.length !== 0 || updQ.length !== 0 || tracked.size > gcAt) return false;
    for (let q = 0; q < csN; q += 3) {
      const G = cs[q];
      if (!isPrim(cs[q + 2]) || !G.onClient || G.pushStep === i) return false;
    }
    const nd = dqE.length;
    let le = null;
    if (nd !== 0) {
      le = dqE[0];
      if (le.kind !== LIST || le.dead || le.sh === null) return false;
      for (let q = 0; q < nd; q++) {
        const key = dqK[q];
        if (dqE[q] !== le || typeof key !== 'number' || key < 0) return false; // a push (PUSHED) or more
      }
      const x = le.obj;
      if (x.length !== le.len) return false;
      for (let q = 0; q < nd; q++) {
        const key = dqK[q];
        if (!shownIndex(le, key)) continue;
        const v = x[key];
        if (!isPrim(v)) return false;
        elemVals[q] = v;
      }
    }
    const start = pos;
    if (pos + 32 > END) return false;
    wbuf[pos++] = 44; wbuf[pos++] = 91;
    putDigits(line);
    wbuf[pos++] = 44; wbuf[pos++] = 123;
    const open = pos;
    if (csN !== 0) {
      putBytes(SET_OPEN);
      for (let q = 0; q < csN; q += 3) {
        const G = cs[q], name = cs[q + 1];
        let pre = G.pre;
        if (pre === null) pre = G.pre = new Map();
        let head = pre.get(name);
        if (head === undefined) { head = Buffer.from('[' + G.id + ',' + nameJ(name) + ','); pre.set(name, head); }
        if (pos + head.length + 2 > END) { pos = start; return false; }
        if (q !== 0) wbuf[pos++] = 44;
        putBytes(head);
        if (!putPrim(cs[q + 2]) || pos + 2 > END) { pos = start; return false; }
        wbuf[pos++] = 93;
      }
      wbuf[pos++] = 93;
    }
    if (nd !== 0) {
      const before = pos;
      if (pos + 48 > END) { pos = start; return false; }
      if (pos !== open) wbuf[pos++] = 44;
      putBytes(UPD_OPEN);
      putDigits(le.id);
      wbuf[pos++] = 44; wbuf[pos++] = 123;
      putBytes(SET_OPEN);
      const sh = le.sh;
      let changes = 0;
      for (let q = 0; q < nd; q++) {
        const key = dqK[q];
        if (!shownIndex(le, key)) continue;
        const v = elemVals[q], s = sh[key];
        if (v === s || (v !== v && s !== s)) continue;
        if (pos + 16 > END) return undoItems(le, q, start);
        sh[key] = v;
        elemVals[q] = s;      // kept to undo with: the step may yet not fit
        if (changes++ !== 0) wbuf[pos++] = 44;
        wbuf[pos++] = 91;
        putDigits(key);
        wbuf[pos++] = 44;
        if (!putPrim(v) || pos + 5 > END) return undoItems(le, q + 1, start);
        wbuf[pos++] = 93;
      }
      if (changes === 0) pos = before;
      else { wbuf[pos++] = 93; wbuf[pos++] = 125; wbuf[pos++] = 93; wbuf[pos++] = 93; }
      dqE = []; dqK = [];
    }
    if (pos === open) { pos = start + 1; putDigits(line); } // nothing changed after all: the bare line
    else { wbuf[pos++] = 125; wbuf[pos++] = 93; }
    clearChanges();
    pend = false;
    return true;
  }

  // One function per step, as few calls inside as possible: short runs
  // (tens of thousands of steps) spend much of their time before V8 has
  // optimised these hooks, where every call costs.
  function emit(evc, F, line, extraKey, extraRaw, extraRoots) {
    busy = true;
    try {
      if (pendingOut !== null) writeOutput();
      const i = n;
      const isKf = full || i % K === 0;
      // A step names its ev, fn and depth (CHANNEL.md, the compact form) when it is a batch's first, a keyframe, an
      // event, pushes or pops frames, or is in another fn or at another depth than the step before.
      const headed = isKf || keep < client.length || stack.length > keep || evc !== 0 || wcount === 0 ||
        F.fn !== lastFn || F.depth !== lastDepth;
      if (headed || (csN === 0 && dqE.length === 0) || !simpleStep(i, line)) {
        let delta = (pend || isKf || extraKey !== null) ? finishStep(i, isKf, extraKey, extraRaw, extraRoots) : '';
        // a measurement on each frame's first step (a viz step carries its own)
        if (wcount === 0 && evc !== 4) delta += ',"perf":' + perfJ();
        if (!putStep(evc, F, line, delta, headed)) {
          // does not fit behind the pending steps: flush them and retry alone
          flush();
          if (!putStep(evc, F, line, delta, true)) { resetBuf(); fatal(new FrameTooLarge(`step ${i} does not fit in a 1 MiB frame`)); }
        }
      }
      wcount++;
      lastFn = F.fn;
      lastDepth = F.depth;
      n = i + 1;
      if (n === 1 || wcount >= batchSteps) flush();
      else if ((n & 63) === 0 && performance.now() - lastFlush > 20) flush();
    } finally {
      busy = false;
    }
    if (busyOut !== null) {
      const q = busyOut;
      busyOut = null;
      for (let j = 0; j < q.length; j += 2) output(q[j], q[j + 1]);
    }
  }

  function flush() {
    if (wcount > 0) {
      // the trailer goes after the steps without taking them: a flush that throws (no stack left) is retried with
      // nothing lost
      const save = pos;
      putBytes(FIRST_OPEN);   // in the room kept past END
      putDigits(n - wcount);
      wbuf[pos++] = 125;
      const len = pos;
      pos = save;
      wbuf.writeUInt32BE(len - 4, 0);
      try {
        channel.writeRaw(wbuf, len);
      } catch (err) {
        if (err instanceof RangeError) throw err; // no stack left: retried later, nothing lost
        resetBuf();
        fatal(err);
      }
      resetBuf();
    }
    lastFlush = performance.now();
  }

  function writeOutput() {
    const p = pendingOut;
    // a frame-sized piece at a time, each dropped once written: a retry (no stack left) repeats none
    for (let end = pieceEnd(p.text, 0); end < p.text.length; end = pieceEnd(p.text, 0)) {
      channel.send({ t: 'output', stream: p.stream, text: p.text.slice(0, end), step: p.step });
      p.text = p.text.slice(end);
    }
    channel.send({ t: 'output', stream: p.stream, text: p.text, step: p.step });
    pendingOut = null;
  }

  // ------------------------------------------------------------ hooks
  // A failure inside a hook (a tracer bug, or V8's stack running out while a
  // hook works near the recursion limit) leaves the state half-updated: the
  // run is ended at the next opportunity, never continued.
  // Once the run must end (limits, tracer failure) `halted` is set and every
  // hook re-attempts the exit; if even that fails (no stack left) it throws so
  // that learner code unwinds to a shallower frame, where the next attempt runs.
  function halt(status, error) {
    if (halted === null) halted = { status, error };
    o.finish(halted.status, halted.error);
    throw o.makeRangeError('Maximum call stack size exceeded');
  }
  function fatal(err) {
    if (halted === null) halted = { status: 'error', error: { type: 'TracerError', message: err instanceof FrameTooLarge ? err.message : 'tracer failure: ' + (err && err.message), line: top ? top.line : 0 } };
    halt();
  }
  function internal(err) {
    if (halted === null) {
      const line = top ? top.line : 0;
      halted = err instanceof RangeError
        ? { status: 'error', error: { type: 'RangeError', message: 'Maximum call stack size exceeded', line } }
        : { status: 'error', error: { type: 'TracerError', message: 'tracer failure: ' + (err && err.message), line } };
    }
    try { o.finish(halted.status, halted.error); } catch { /* still no stack: retried later */ }
    throw err;
  }

  function s(F, line, vid, ...vals) {
    if (busy) return;
    if (halted !== null) halt();
    try {
      if (n >= maxSteps) halt('step_limit');
      if (F !== top) repair(F);
      if (naive) { F.vid = vid; F.sh = vals; F.order = views[vid].names.filter((_, k) => vals[k] !== HOLE); pend = true; }
      else compare(F, vid, vals);
      F.line = line;
      emit(0, F, line, null, null, null);
    } catch (err) { internal(err); }
  }

  function c(fnId, parent, vid, ...vals) {
    if (busy) return new Frame(fnId, '', parent);
    if (halted !== null) halt();
    if (stack.length >= maxDepth) throw o.makeRangeError('Maximum call stack size exceeded');
    try {
      if (n >= maxSteps) halt('step_limit');
      const fi = fns[fnId];
      const F = new Frame(fnId, fi.name, parent);
      pushFrame(F);
      F.vid = vid;
      F.sh = vals;
      F.order = initialOrder(views[vid], vals);
      F.line = fi.line;
      emit(1, F, fi.line, null, null, null);
      return F;
    } catch (err) { return internal(err); }
  }

  function r(F, line, vid, rv, ...vals) {
    if (busy) return rv;
    if (halted !== null) halt();
    try {
      if (n >= maxSteps) halt('step_limit');
      if (F !== top) repair(F);
      if (naive) { F.vid = vid; F.sh = vals; F.order = views[vid].names.filter((_, k) => vals[k] !== HOLE); }
      else compare(F, vid, vals);
      F.line = line;
      emit(2, F, line, 'ret', rv, [rv]);
      if (F.onStack) { while (top !== F) popTop(); popTop(); }
    } catch (err) { internal(err); }
    return rv;
  }

  // return inside try/finally: remember the value, emit at the real exit
  function R(F, line, vid, rv, ...vals) {
    if (busy) return rv;
    if (halted !== null) halt();
    try {
      if (F !== top) repair(F);
      compare(F, vid, vals);
      F.line = line;
      F.rv = rv;
      F.hasRet = true;
    } catch (err) { internal(err); }
    return rv;
  }

  // function-level finally of functions that use R
  function E(F) {
    if (busy) return;
    if (halted !== null) halt();
    try {
      if (!F.onStack) return;
      if (F.hasRet) {
        F.hasRet = false;
        if (n >= maxSteps) halt('step_limit');
        if (F !== top) repair(F);
        const rv = F.rv;
        F.rv = undefined;
        emit(2, F, F.line, 'ret', rv, [rv]);
      }
      if (F.onStack) { while (top !== F) popTop(); popTop(); }
    } catch (err) { internal(err); }
  }

  // resume after yield / await: the frame comes back with a new id
  function Y(F, line, vid, value, ...vals) {
    if (busy) return value;
    if (halted !== null) halt();
    try {
      if (n >= maxSteps) halt('step_limit');
      if (F !== top) repair(F);
      compare(F, vid, vals);
      F.line = line;
      emit(1, F, line, null, null, null);
    } catch (err) { internal(err); }
    return value;
  }

  // silent pop (yield*, await): the next step's delta pops the frame
  function P(F, v) {
    if (busy) return v;
    if (F.onStack) { while (top !== F) popTop(); popTop(); }
    return v;
  }

  // exceptions

  function isObj(e) { return (typeof e === 'object' && e !== null) || typeof e === 'function'; }
  function isReported(e) {
    if (isObj(e)) return reported.has(e);
    return primReported && Object.is(lastPrim, e);
  }
  function setReported(e, line) {
    if (isObj(e)) reported.set(e, line);
    else { primReported = true; lastPrim = e; lastPrimLine = line; }
  }
  function clearReported(e) {
    if (isObj(e)) reported.delete(e);
    else primReported = false;
  }
  function excLine(e) {
    if (isObj(e)) return reported.get(e) || 0;
    return Object.is(lastPrim, e) ? lastPrimLine : 0;
  }

  function excInfo(e) {
    try {
      if (isObj(e)) {
        if (isProxy(e)) return { type: 'Proxy', message: '' };
        const nm = ownValue(e, 'name');
        const type = typeof nm === 'string' && nm ? nm : className(e);
        const msg = ownValue(e, 'message');
        let message;
        if (typeof msg === 'string') message = msg;
        else if (isNativeError(e)) message = '';
        else message = util.inspect(e, { depth: 1, customInspect: false, showProxy: false, getters: false, breakLength: Infinity });
        return { type: wf(type), message: wf(message.length > maxString ? message.slice(0, maxString) : message) };
      }
      const t = typeof e;
      const message = t === 'symbol' ? symToString.call(e) : String(e);
      return { type: t.charAt(0).toUpperCase() + t.slice(1), message: wf(message.length > maxString ? message.slice(0, maxString) : message) };
    } catch {
      return { type: 'Error', message: '' };
    }
  }

  function reportIfNew(e) {
    if (isReported(e)) return;
    const T = top;
    setReported(e, T ? T.line : 0);
    if (T === null) return;
    if (n >= maxSteps) halt('step_limit');
    emit(3, T, T.line, 'exc', excInfo(e), null);
  }

  // function-level catch: the exception leaves F
  function x(F, e) {
    if (busy) return e;
    if (halted !== null) halt();
    try {
      reportIfNew(e);
      if (F.onStack) { while (top !== F) popTop(); popTop(); }
    } catch (err) { internal(err); }
    return e;
  }

  // learner catch clause entered in F
  function h(F, e) {
    if (busy) return;
    if (halted !== null) halt();
    try {
      reportIfNew(e);
      if (F.onStack) { while (top !== F) popTop(); } else pushFrame(F);
      clearReported(e);
    } catch (err) { internal(err); }
  }

  // try/finally without catch: report, unwind to F, keep propagating
  function k(F, e) {
    if (busy) return;
    if (halted !== null) halt();
    try {
      reportIfNew(e);
      if (F.onStack) { while (top !== F) popTop(); } else pushFrame(F);
    } catch (err) { internal(err); }
  }

  // nonlocal writes: (result, ownerFrame, uid, value)*
  function w(res, ...a) {
    if (busy) return res;
    try {
      for (let q = 0; q < a.length; q += 3) {
        const Ow = a[q];
        if (Ow === null || Ow === undefined || typeof Ow !== 'object') continue;
        const uid = a[q + 1], v = a[q + 2];
        if (Ow.onStack) displayUpdate(Ow, uid, v);
        if (closureUids[uid]) {
          for (let j = stack.length - 1; j >= 0; j--) {
            const G = stack[j];
            if (G === Ow) continue;
            for (let p = G.parent; p; p = p.parent) if (p === Ow) { displayUpdate(G, uid, v); break; }
          }
        }
      }
    } catch (err) { internal(err); }
    return res;
  }

  // member write barrier
  function m(res, obj, key) {
    if ((typeof obj === 'object' && obj !== null) || typeof obj === 'function') {
      const e = tracked.get(obj);
      if (e !== undefined) { dqE.push(e); dqK.push(key); pend = true; }
    }
    return res;
  }

  // after a method call: native containers may have changed
  function M(res, obj, code) {
    if (typeof obj === 'object' && obj !== null) {
      const e = tracked.get(obj);
      if (e !== undefined && e.kind !== OBJECT && e.kind !== FUNC) { dqE.push(e); dqK.push(code === 1 ? PUSHED : WHOLE); pend = true; }
    }
    return res;
  }

  // after Object.* / Reflect.*: first argument may have changed
  function O(res, obj) {
    if ((typeof obj === 'object' && obj !== null) || typeof obj === 'function') {
      const e = tracked.get(obj);
      if (e !== undefined) { dqE.push(e); dqK.push(WHOLE); pend = true; }
    }
    return res;
  }

  // member targets inside destructuring assignments
  class LV {
    constructor(obj, key, strict) { this.o = obj; this.k = key; this.s = strict; }
    set v(x) {
      const obj = this.o;
      if (obj === null || obj === undefined) throw o.makeTypeError(`Cannot set properties of ${obj}`);
      if (this.s) strictStore(obj, this.k, x); else sloppyStore(obj, this.k, x);
      m(undefined, obj, this.k);
    }
  }
  Object.setPrototypeOf(LV.prototype, null);
  function L(obj, key, strict) { return new LV(obj, key, strict); }

  // The realm's array iteration as the context began: while it is untouched, a destructuring of an array literal
  // steps an iterator nothing can observe, and instrument.mjs's genListAssign stores the items directly. Its own
  // reads of these properties are what the destructuring would read; a learner's getter on them is called once more.
  const realmArray = o.ctxGlobal.Array;
  const ARRAY_VALUES = getOwnPropertyDescriptor(realmArray.prototype, Symbol.iterator).value;
  const ARRAY_ITERATOR = getPrototypeOf(ARRAY_VALUES.call(new realmArray()));
  const ITERATOR_NEXT = getOwnPropertyDescriptor(ARRAY_ITERATOR, 'next').value;
  function A() {
    return realmArray.prototype[Symbol.iterator] === ARRAY_VALUES && ARRAY_ITERATOR.next === ITERATOR_NEXT &&
      ARRAY_ITERATOR.return === undefined;
  }

  function g(f) {
    try { return f(); } catch { return HOLE; }
  }

  function mf() {
    const F = new Frame(0, '<module>', null);
    pushFrame(F);
    F.vid = -1;
    F.sh = [];
    F.order = [];
    F.line = 1;
    return F;
  }

  // ------------------------------------------------------------ services
  function output(stream, text) {
    if (busy) { (busyOut || (busyOut = [])).push(stream, text); return; }
    if (halted !== null) halt();
    try {
      if (pendingOut !== null && pendingOut.stream === stream && pendingOut.step === n - 1 && pendingOut.text.length < 65536) {
        pendingOut.text += text;
        return;
      }
      if (pendingOut !== null) writeOutput();
      flush();
      pendingOut = { stream, text, step: n - 1 };
    } catch (err) { internal(err); }
  }

  function vizStep(payload, roots) {
    if (busy) return;
    if (halted !== null) halt();
    try {
      const F = top;
      if (F === null) return;
      if (n >= maxSteps) halt('step_limit');
      emit(4, F, F.line, 'viz', payload, roots);
    } catch (err) { internal(err); }
  }

  // truth stack back to the module frame (script finished / timer callback)
  function resetToModule() {
    while (stack.length > 1) popTop();
  }

  function finalFlush() {
    if (pendingOut !== null) writeOutput();
    flush();
  }

  load(o);
  return {
    hooks: { s, c, r, R, E, Y, P, x, h, k, w, m, M, O, L, A, g, mf, H: HOLE },
    load, val, valueWithHeap, output, vizStep, flush, finalFlush, resetToModule,
    get steps() { return n; },
    get topLine() { return top ? top.line : 0; },
    get halted() { return halted !== null; },
    halt, reportIfNew, excInfo, excLine,
  };
}
