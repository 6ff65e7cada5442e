// The learner's console, input() and prompt(): text becomes `output` frames through the runtime, cut at the job's
// cap before anything measures or copies it whole (output.mjs); input lines are the job's stdin, then EOFError.
import util from 'node:util';
import { fitOutput } from './output.mjs';

export const inspectOpts = { customInspect: false, showProxy: false, getters: false, colors: false, depth: 2 };

/** {emitOut, consoleObj, readLine} over the current job and runtime (getters: both change after the warm-up). */
export function makeStdio({ hostObject, EOFError, isFinished, job, runtime }) {
  let outBytes = 0;
  // tail: what console.log appends, never appended to a string that is over the cap anyway
  function emitOut(stream, text, tail = '') {
    if (isFinished() || text.length + tail.length === 0) return;
    const fit = fitOutput(text, tail, job().maxOutputBytes - outBytes);
    outBytes += fit.bytes;
    if (fit.text.length > 0) runtime().output(stream, fit.text);
    if (fit.over) runtime().halt('output_limit');
  }

  function fmt(args) { return util.formatWithOptions(inspectOpts, ...args); }

  const consoleObj = hostObject({
    log: (...a) => { emitOut('stdout', fmt(a), '\n'); },
    info: (...a) => { emitOut('stdout', fmt(a), '\n'); },
    debug: (...a) => { emitOut('stdout', fmt(a), '\n'); },
    error: (...a) => { emitOut('stderr', fmt(a), '\n'); },
    warn: (...a) => { emitOut('stderr', fmt(a), '\n'); },
    trace: (...a) => { emitOut('stderr', 'Trace: ' + fmt(a) + '\n'); },
    dir: (x) => { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
    table: (x) => { emitOut('stdout', util.inspect(x, inspectOpts) + '\n'); },
    assert: (cond, ...a) => { if (!cond) emitOut('stderr', 'Assertion failed' + (a.length ? ': ' + fmt(a) : '') + '\n'); },
  });

  let stdinPos = 0;
  function readLine(promptText) {
    if (promptText !== undefined && promptText !== null) emitOut('stdout', String(promptText));
    const lines = job().stdin;
    if (stdinPos < lines.length) return String(lines[stdinPos++]);
    throw new EOFError('EOF when reading a line');
  }
  return { emitOut, consoleObj, readLine };
}
