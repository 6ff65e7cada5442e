// The learner's code runs in a vm context without `process`: try to reach the host's anyway,
// through the prototype objects of the functions the tracer provides.
const found = [];
for (const [name, fn] of [['input', input], ['prompt', prompt], ['setTimeout', setTimeout], ['queueMicrotask', queueMicrotask], ['clearTimeout', clearTimeout]]) {
  try {
    const p = Object.getPrototypeOf(fn.prototype).constructor.constructor('return process')();
    if (p && typeof p.pid === 'number') found.push(name);
  } catch (e) {
    // blocked
  }
}
console.log(found.length ? 'ESCAPED via ' + found.join(', ') : 'no host process reachable');
