// The frame channel (see ../CHANNEL.md): 4-byte big-endian length + UTF-8 JSON.
//
// Node has no dup()/dup2(). When the container's stdout is a pipe/FIFO we get
// the same effect by re-opening it through /proc/self/fd/1 (a new descriptor
// on the same pipe, used only for frames), closing fd 1 and re-opening
// /proc/self/fd/2 so that it lands on the lowest free descriptor, 1. When that
// is not possible (not a FIFO, or permission denied because the pipe belongs
// to another user) frames go to fd 1 directly; learner code has no `process`,
// `require` or `import()` and cannot reach it.

import fs from 'node:fs';

export const MAX_FRAME = 1024 * 1024;

const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms) { Atomics.wait(sleepBuf, 0, 0, ms); }

export class FrameTooLarge extends Error {}

/** VmHWM: the peak resident memory since the process started or since resetPeakRss(); maxRSS where it cannot be read. */
export function readPeakRss() {
  try {
    const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'latin1'));
    if (m) return +m[1];
  } catch { /* fall through */ }
  try { return process.resourceUsage().maxRSS; } catch { return 0; }
}

/** Resets VmHWM to the resident size now (Linux >= 4.0), so that readPeakRss() measures what runs next. */
export function resetPeakRss() {
  try { fs.writeFileSync('/proc/self/clear_refs', '5'); return true; } catch { return false; }
}

export function openChannel() {
  let fd = 1;
  let redirected = false;
  try {
    const st = fs.fstatSync(1);
    if (st.isFIFO()) {
      const nfd = fs.openSync('/proc/self/fd/1', fs.constants.O_WRONLY);
      try {
        fs.closeSync(1);
        let r = -1;
        try { r = fs.openSync('/proc/self/fd/2', fs.constants.O_WRONLY | fs.constants.O_APPEND); } catch {
          try { r = fs.openSync('/dev/null', fs.constants.O_WRONLY); } catch { /* fd 1 stays closed */ }
        }
        if (r !== 1 && r >= 0) fs.closeSync(r);
      } catch { /* keep going: frames still go to nfd */ }
      fd = nfd;
      redirected = true;
    }
  } catch { /* not a FIFO or not re-openable: use fd 1 */ }

  return { ...frameWriter(fd), fd, redirected };
}

// Frames written to fd. The warm-up writes its frames to /dev/null with one of these, so that the job's writes take
// code V8 has already optimised.
export function frameWriter(fd) {
  let broken = false;

  function writeAll(buf) {
    if (broken) return;
    let off = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        if (e.code === 'EAGAIN') { sleep(1); continue; }
        if (e.code === 'EPIPE') { broken = true; process.exit(0); }
        throw e;
      }
    }
  }

  function writeJson(json) {
    const len = Buffer.byteLength(json, 'utf8');
    if (len > MAX_FRAME) return false;
    const buf = Buffer.allocUnsafe(4 + len);
    buf.writeUInt32BE(len, 0);
    buf.write(json, 4, len, 'utf8');
    writeAll(buf);
    return true;
  }

  function send(obj) {
    if (!writeJson(JSON.stringify(obj))) throw new FrameTooLarge(`frame of type ${obj.t} exceeds 1 MiB`);
  }

  // a complete frame already in buf[0..len)
  function writeRaw(buf, len) {
    writeAll(len === buf.length ? buf : buf.subarray(0, len));
  }

  return { send, writeRaw };
}

// Read one JSON document terminated by '\n' from fd 0 (never via process.stdin).
export function readJobLine() {
  const chunks = [];
  const buf = Buffer.allocUnsafe(65536);
  for (;;) {
    let nread;
    try {
      nread = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { sleep(2); continue; }
      if (e.code === 'EOF') break;
      throw e;
    }
    if (nread === 0) break;
    const chunk = Buffer.from(buf.subarray(0, nread));
    chunks.push(chunk);
    if (chunk.includes(10)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const nl = text.indexOf('\n');
  return nl >= 0 ? text.slice(0, nl) : text;
}
