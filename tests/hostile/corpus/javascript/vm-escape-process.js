// The learner's code runs in a vm context without `process`: try to reach the host's anyway.
// Each vector that yields the host `process` is named in the output.
const found = [];
const global = this; // the module-level `this` is the context's global object
function attempt(label, get) {
  let p = null;
  try { p = get(); } catch (e) { p = null; }
  if (p && typeof p.pid === 'number' && typeof p.exit === 'function') found.push(label);
}
const viaCtor = (x) => x.constructor.constructor('return process')();
// 1. The global object: a contextified plain object inherits `constructor` from the host's Object.
attempt('this.constructor', () => viaCtor(global));
attempt('Object.getPrototypeOf(this)', () => viaCtor(Object.getPrototypeOf(global)));
// 2. Functions the tracer provides: their .prototype objects, their own constructors.
for (const [name, fn] of [['input', input], ['prompt', prompt], ['setTimeout', setTimeout], ['setInterval', setInterval],
  ['setImmediate', setImmediate], ['clearTimeout', clearTimeout], ['queueMicrotask', queueMicrotask], ['console.log', console.log],
  ['viz.step', viz.step], ['viz.array', viz.array], ['EOFError', EOFError]]) {
  attempt(name + '.prototype', () => viaCtor(Object.getPrototypeOf(fn.prototype)));
  attempt(name + '.constructor', () => viaCtor(fn));
}
attempt('viz.array(...).select', () => viaCtor(viz.array('a', [1]).select));
// 3. Errors thrown by host code while serving a call.
for (const [label, call] of [['viz.array(length: Symbol)', () => viz.array('a', { length: Symbol() })], ['viz.step(Symbol)', () => viz.step(Symbol())],
  ['console.log(%d, Symbol)', () => console.log('%d', Symbol())]]) {
  try { call(); } catch (e) { attempt(label + ' error', () => viaCtor(e)); }
}
// 4. Call sites of host frames, seen from a learner callback that host code calls (a toString used by %s).
Error.prepareStackTrace = (err, frames) => frames;
let sites = [];
console.log('%s', { toString() { sites = new Error().stack; return 'probe'; } });
Error.prepareStackTrace = undefined;
for (const s of Array.isArray(sites) ? sites : []) {
  attempt('callsite getFunction', () => viaCtor(s.getFunction()));
  attempt('callsite getThis', () => viaCtor(s.getThis()));
}
// 5. Call sites seen from a learner setter that the tracer calls: a destructuring target's member store is made by
//    the tracer (a sloppy host function there once handed out the host's Function through getFunction()).
Error.prepareStackTrace = (err, frames) => frames;
let storeSites = [];
const target = { set v(x) { storeSites = new Error().stack; } };
[target.v] = [1];
Error.prepareStackTrace = undefined;
for (const s of Array.isArray(storeSites) ? storeSites : []) {
  attempt('store callsite getFunction', () => viaCtor(s.getFunction()));
  attempt('store callsite getThis', () => viaCtor(s.getThis()));
}
// 6. Errors the tracer's member store raises: an invalid array length, a proxy's broken invariant, a frozen target
//    in strict code.
const list = [];
const sealed = new Proxy(Object.freeze({ k: 1 }), { set() { return true; } });
const frozen = Object.freeze([1]);
for (const [label, store] of [['array length', () => { [list.length] = [-1]; }], ['proxy invariant', () => { [sealed.k] = [2]; }],
  ['frozen, strict', () => { 'use strict'; [frozen[0]] = [2]; }]]) {
  try { store(); } catch (e) { attempt('store error: ' + label, () => viaCtor(e)); }
}
console.log(found.length ? 'ESCAPED via ' + found.join(', ') : 'no host process reachable');
