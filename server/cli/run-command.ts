/** `tracecast run FILE`: sends the file to a server and prints its trace as it streams. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import WebSocket from 'ws';
import { TracecastClient, type WebSocketConstructor } from '../../protocol/client.ts';
import type { ClientMessage, Language, ServerFrame } from '../../protocol/index.ts';
import { TraceState, type TraceSnapshot } from '../../protocol/trace-state.ts';
import { renderValue, type Dialect } from './render.ts';
import { LANGUAGE_NAMES, isLanguage, languageByExtension } from '../../protocol/languages.ts';

/** Where to send a request, and the token to present (`--token`, TRACECAST_TOKEN) when the server asks for one. */
export interface ServerOptions {
  server: string;
  token?: string;
}

export interface RunOptions extends ServerOptions {
  lang?: string;
  format: 'text' | 'ndjson';
  stdin: string[];
  /** Call this function with these arguments after the top level (`execute`'s `entry` and `args`). */
  call?: { entry: string; args: unknown[] };
}


/** Returns the exit code: 0 for verdict ok, 1 for any other verdict, 2 when the program could not run. */
export async function runFile(file: string, options: RunOptions): Promise<number> {
  const language = languageOf(file, options.lang);
  if (!language) return 2;
  const code = await readFile(file, 'utf8');
  return streamRun(options, { type: 'execute', language, code, stdin: options.stdin, ...options.call }, options.format === 'ndjson' ? printJson : textPrinter());
}

/** The language named by --lang, or inferred from the file's extension (null, with a message, when neither works). */
export function languageOf(file: string, lang: string | undefined): Language | null {
  const language = lang ?? languageByExtension(extname(file));
  if (language !== undefined && isLanguage(language)) return language;
  process.stderr.write(`tracecast: cannot tell the language of ${file}; pass --lang ${LANGUAGE_NAMES.join('|')}\n`);
  return null;
}

/** `tracecast replay RUN`: prints a stored run as `run` prints a live one. */
export function replayRun(run: string, options: Omit<RunOptions, 'stdin' | 'lang' | 'call'>): Promise<number> {
  return streamRun(options, { type: 'replay', id: 'replay', run }, options.format === 'ndjson' ? printJson : textPrinter());
}

/** Sends one run request (or a replay) and hands every frame of that run to `print` until `run.ended`; returns the exit code. */
export async function streamRun(to: ServerOptions, message: ClientMessage, print: (frame: ServerFrame) => void): Promise<number> {
  const client = await TracecastClient.connect(to.server, { WebSocket: WebSocket as unknown as WebSocketConstructor, token: to.token });
  return new Promise<number>((resolve) => {
    let run: string | null = message.type === 'replay' ? message.run : null;
    client.onFrame((frame) => {
      if (frame.type === 'error') {
        process.stderr.write(`tracecast: ${frame.code}: ${frame.message}\n`);
        client.close();
        return resolve(2);
      }
      if (frame.type === 'accepted') run = frame.run;
      if (frame.type === 'replay.ended') {
        process.stderr.write(`tracecast: the stored trace of ${frame.run} has no run.ended\n`);
        client.close();
        return resolve(2);
      }
      if (frame.type !== 'accepted' && (!('run' in frame) || frame.run !== run)) return;
      print(frame);
      if (frame.type === 'run.ended') {
        client.close();
        resolve(frame.verdict === 'ok' ? 0 : 1);
      }
    });
    client.send(message);
    void client.closed.then(() => resolve(2));
  });
}

export function printJson(frame: ServerFrame): void {
  process.stdout.write(JSON.stringify(frame) + '\n');
}

/**
 * One line per executed line: line number, function, and the variables of that function
 * whose value changed by executing it (so a line is printed once the next step shows its
 * effect), followed by what it printed.
 */
function textPrinter(): (frame: ServerFrame) => void {
  const state = new TraceState();
  const shown = new Map<number, Map<string, string>>();
  let dialect: Dialect = 'python';
  let pending: { text: string; frameId: number | null; outputs: string[] } | null = null;

  const changesIn = (frameId: number | null, snap: TraceSnapshot): string[] => {
    const frame = snap.stack.find((f) => f.id === frameId);
    if (!frame || frameId === null) return [];
    const before = shown.get(frameId) ?? new Map<string, string>();
    shown.set(frameId, before);
    const changed: string[] = [];
    for (const [name, value] of frame.vars) {
      const text = renderValue(value, snap.heap, dialect);
      if (before.get(name) !== text) changed.push(`${name}=${text}`);
      before.set(name, text);
    }
    return changed;
  };
  const flush = (snap: TraceSnapshot | null) => {
    if (!pending) return;
    const changed = snap ? changesIn(pending.frameId, snap) : [];
    process.stdout.write(pending.text + (changed.length ? '  ' + changed.join(' ') : '') + '\n');
    for (const o of pending.outputs) process.stdout.write(o);
    pending = null;
  };

  return (frame) => {
    switch (frame.type) {
      case 'run.started':
        dialect = frame.language;
        return;
      case 'steps':
        for (const step of frame.steps) {
          state.apply(step);
          const snap = state.at(step.i);
          flush(snap);
          const top = snap.stack[snap.stack.length - 1];
          const extra = step.ev === 'return' && step.ret !== undefined ? ` -> ${renderValue(step.ret, snap.heap, dialect)}` : step.exc ? ` !! ${step.exc.type}: ${step.exc.message}` : '';
          const event = step.ev === 'line' ? '' : ` [${step.ev}]`;
          pending = { text: `${String(step.line).padStart(4)}  ${'  '.repeat(step.depth)}${step.fn}${event}${extra}`, frameId: top?.id ?? null, outputs: [] };
        }
        return;
      case 'output': {
        const marker = frame.stream === 'stderr' ? '   ! ' : '   > ';
        const text = frame.text.endsWith('\n') ? frame.text.slice(0, -1) : frame.text;
        const lines = text.split('\n').map((l) => marker + l + '\n').join('');
        if (pending) pending.outputs.push(lines);
        else process.stdout.write(lines);
        return;
      }
      case 'run.ended': {
        flush(state.length > state.first ? state.at(state.length - 1) : null);
        if (frame.callMs !== undefined) {
          const returned = frame.result ? renderValue(frame.result.value, new Map(frame.result.heap), dialect) : '(nothing: the call did not return)';
          const memory = frame.callPeakMemKb ? `, ${Math.round(frame.callPeakMemKb / 1024)} MB peak` : '';
          process.stdout.write(`returned: ${returned}  [call ${+frame.callMs.toFixed(3)} ms${memory}]\n`);
        }
        const err = frame.error ? ` — ${frame.error.type}: ${frame.error.message}${frame.error.line ? ` (line ${frame.error.line})` : ''}` : '';
        process.stdout.write(`verdict: ${frame.verdict}${err}  [${frame.steps} steps, ${frame.wallMs} ms${frame.peakMemKb ? `, ${Math.round(frame.peakMemKb / 1024)} MB peak` : ''}]\n`);
        return;
      }
    }
  };
}
