/** `tracecast bench` and `tracecast test`: a benchmark or a graded test of a file, printed as frames arrive. */
import { readFile } from 'node:fs/promises';
import type { Benchmark, ServerFrame } from '../../protocol/index.ts';
import { languageOf, printJson, streamRun, type ServerOptions } from './run-command.ts';

export interface CommonOptions extends ServerOptions {
  lang?: string;
  format: 'text' | 'ndjson';
}

/** `two_sum`, `two_sum:7` (seed), or `fn:gen` / `fn:gen:7` for the learner's own generator. */
export function parseGenerator(spec: string): Benchmark['generator'] {
  const parts = spec.split(':');
  if (parts[0] === 'fn') return { function: parts[1], seed: Number(parts[2] ?? 1) };
  return { builtin: parts[0] as never, seed: Number(parts[1] ?? 1) };
}

/** `100,500,1000` (explicit) or `100..5000x8` (8 sizes on a log scale). */
export function parseSizes(spec: string): Benchmark['sizes'] {
  const range = /^(\d+)\.\.(\d+)x(\d+)$/.exec(spec);
  if (range) return { from: Number(range[1]), to: Number(range[2]), count: Number(range[3]) };
  return spec.split(',').map(Number);
}

const seconds = (s: number) => (s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : s < 1 ? `${(s * 1e3).toFixed(2)} ms` : `${s.toFixed(2)} s`);

function benchPrinter(frame: ServerFrame): void {
  switch (frame.type) {
    case 'bench.started':
      process.stdout.write(`benchmark ${frame.entry}: sizes ${frame.sizes.join(', ')} × ${frame.repeats} repeats\n${'n'.padStart(9)}  ${'median'.padStart(10)}  ${'min'.padStart(10)}  ${'ops'.padStart(10)}  built-ins\n`);
      return;
    case 'bench.point':
      process.stdout.write(`${String(frame.n).padStart(9)}  ${seconds(frame.time.median).padStart(10)}  ${seconds(frame.time.min).padStart(10)}  ${(frame.ops === null ? '-' : String(frame.ops)).padStart(10)}  ${(frame.builtinShare * 100).toFixed(0)}%\n`);
      return;
    case 'bench.stopped':
      process.stdout.write(`stopped before n=${frame.n}: it would pass the time budget\n`);
      return;
    case 'bench.fit': {
      const line = (name: string, f: typeof frame.time, missing = 'not enough points') =>
        f ? `${name}: ${f.best.cls} (confidence ${(f.confidence * 100).toFixed(0)}%, runner-up ${f.runnerUp?.cls ?? '-'})\n` : `${name}: ${missing}\n`;
      // Timings fitted without a count: the language has none (C++, whose points' ops are null).
      process.stdout.write(line('operations', frame.ops, frame.time ? 'none (no operation count: timings only)' : undefined) + line('time', frame.time));
      if (frame.verdict) process.stdout.write(`verdict: ${frame.verdict.cls} from the ${frame.verdict.series} — ${frame.verdict.reason}\n`);
      return;
    }
    case 'output':
      process.stdout.write(frame.text);
      return;
    case 'run.ended':
      if (frame.verdict !== 'ok') process.stdout.write(`run ended: ${frame.verdict}${frame.error ? ` — ${frame.error.type}: ${frame.error.message}` : ''}\n`);
      return;
  }
}

function testPrinter(frame: ServerFrame): void {
  switch (frame.type) {
    case 'test.case': {
      const mark = frame.passed ? 'PASS' : 'FAIL';
      const detail = frame.hidden ? '(hidden)' : frame.passed ? '' : frame.reason ?? frame.error?.message ?? frame.status;
      process.stdout.write(`${mark}  ${frame.case.padEnd(20)} ${frame.ms.toFixed(1).padStart(8)} ms  ${detail}\n`);
      return;
    }
    case 'test.summary':
      process.stdout.write(`${frame.passed}/${frame.total} passed (${(frame.passRate * 100).toFixed(0)}%)\n`);
      return;
    case 'run.ended':
      if (frame.verdict !== 'ok') process.stdout.write(`run ended: ${frame.verdict}${frame.error ? ` — ${frame.error.type}: ${frame.error.message}` : ''}\n`);
      return;
  }
}

export async function benchFile(file: string, options: CommonOptions & { entry: string; generator: string; sizes?: string; repeats?: number }): Promise<number> {
  const language = languageOf(file, options.lang);
  if (!language) return 2;
  const code = await readFile(file, 'utf8');
  const message = {
    type: 'benchmark' as const,
    language,
    code,
    entry: options.entry,
    generator: parseGenerator(options.generator),
    ...(options.sizes ? { sizes: parseSizes(options.sizes) } : {}),
    ...(options.repeats ? { repeats: options.repeats } : {}),
  };
  return streamRun(options, message as never, options.format === 'ndjson' ? printJson : benchPrinter);
}

/** Exit code 0 only when every case passed. */
export async function testFile(file: string, options: CommonOptions & { problem: string }): Promise<number> {
  const language = languageOf(file, options.lang);
  if (!language) return 2;
  const code = await readFile(file, 'utf8');
  let allPassed = false;
  const print = options.format === 'ndjson' ? printJson : testPrinter;
  const status = await streamRun(options, { type: 'test', language, code, problem: options.problem }, (frame) => {
    if (frame.type === 'test.summary') allPassed = frame.passed === frame.total;
    print(frame);
  });
  return status === 0 && !allPassed ? 1 : status;
}
