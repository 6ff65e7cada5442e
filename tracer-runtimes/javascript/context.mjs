// The learner's realm: a vm context whose global has a null prototype, its error classes, and the only kind of host
// function learner code may reach (no `.constructor` chain to the host's Function; host errors re-created in its realm).
import vm from 'node:vm';

export function createLearnerContext() {
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
  // A destructuring target's member store (runtime.mjs, LV), sloppy or strict like the learner's code around it: a
  // sloppy store to a read-only property does nothing where a strict one throws. Plain stores take V8's store ICs where
  // Reflect.set took a generic path (9% of a bubble sort's samples). They are compiled in the learner's realm: a sloppy
  // host function on the stack would hand a learner setter its host `Function` through a call site's getFunction(), and
  // errors (an invalid array length, a proxy's broken invariant) and primitives' prototypes must be the learner's.
  const learnerStore = vm.runInContext('(function (o, k, x) { o[k] = x; })', ctx);
  const learnerStrictStore = vm.runInContext('(function (o, k, x) { "use strict"; o[k] = x; })', ctx);
  // Host data handed to learner code (the job's entry arguments) is rebuilt by the realm's own JSON.parse, taken before
  // any learner code runs: its arrays and objects are the learner's, with no path back to the host.
  const realmParse = vm.runInContext('JSON.parse', ctx);
  const learnerValue = (x) => realmParse(JSON.stringify(x));
  return { ctx, G, CtxTypeError, CtxRangeError, EOFError, hostFn, hostObject, learnerStore, learnerStrictStore, learnerValue };
}
