// With the host process (if reachable): a forged `steps` frame written straight to the frame channel
// (the pipe descriptor that is neither stdin nor stderr). The runner must reject it: internal_error.
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
  const link = (fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch (e) { return null; } };
  // The frame channel: a pipe held by one descriptor only (Node's internal pipes hold both ends), not stdin's nor stderr's.
  const links = fs.readdirSync('/proc/self/fd').map((fd) => link(fd));
  const once = (l) => links.filter((x) => x === l).length === 1;
  const skip = new Set([link(0), link(2)]);
  const body = Buffer.from(JSON.stringify({ t: 'steps', steps: [{ i: 999999, ev: 'line', line: 1, fn: '<module>', depth: 0 }] }));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  for (const fd of fs.readdirSync('/proc/self/fd').map(Number)) {
    const l = link(fd);
    if (l && l.startsWith('pipe:') && !skip.has(l) && once(l)) { try { fs.writeSync(fd, Buffer.concat([head, body])); } catch (e) { /* not writable */ } }
  }
  console.log('forgery written');
}
