// Untraced reference for the JavaScript ablation (bench/tracer/profile.ts): the learner's program run in a fresh
// vm context, as tracer.mjs runs the instrumented one, timed in-process (wall and CPU). Frames as the tracer's channel
// (hello, then end with `ablation: {untraced: [{s}]}`).
import fs from 'node:fs';
import vm from 'node:vm';

function send(obj) {
  const text = JSON.stringify(obj);
  const buf = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
  buf.writeUInt32BE(buf.length - 4, 0);
  buf.write(text, 4);
  let off = 0;
  while (off < buf.length) off += fs.writeSync(1, buf, off, buf.length - off);
}

send({ t: 'hello', lang: 'javascript', version: process.versions.node });
const chunks = [];
const buf = Buffer.allocUnsafe(65536);
for (;;) {
  let n;
  try { n = fs.readSync(0, buf, 0, buf.length, null); } catch (e) {
    if (e.code === 'EAGAIN') continue;
    break;
  }
  if (n === 0) break;
  chunks.push(Buffer.from(buf.subarray(0, n)));
  if (buf.subarray(0, n).includes(10)) break;
}
const job = JSON.parse(Buffer.concat(chunks).toString('utf8').split('\n')[0]);
const runs = [];
for (let rep = 0; rep < (job.reps ?? 1); rep++) {
  const ctx = vm.createContext({ console: { log() {} } });
  const script = new vm.Script('(function(){' + job.code + '\n})()', { filename: 'main.js' });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  script.runInContext(ctx);
  const c = process.cpuUsage(c0);
  runs.push({ s: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
}
send({ t: 'end', status: 'ok', steps: 0, peakRssKb: 0, ablation: { untraced: runs } });
process.exit(0);
