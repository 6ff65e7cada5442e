/** `tracecast` command line: `serve` starts the server; `run FILE` traces a program through a server. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { startServer } from '../main.ts';
import { createLogger } from '../obs/logger.ts';
import { exportFromStore, importIntoStore } from '../problems/catalog-store.ts';
import { openStore } from '../store/open-store.ts';
import { benchFile, testFile } from './bench-test-commands.ts';
import { replayRun, runFile } from './run-command.ts';

const USAGE = `usage:
  tracecast serve                      start the server (configuration from environment variables; see README)
  tracecast run FILE [--lang python|javascript|cpp] [--server URL] [--format text|ndjson] [--stdin LINE]...
                                       trace FILE through a server; exit 0 for verdict ok, 1 for another verdict, 2 when it could not run
  tracecast bench FILE --entry NAME --generator SPEC [--sizes 100,500,1000|100..5000x8] [--repeats N] [--format ndjson]
                                       SPEC: random_ints|sorted_ints|reversed_ints|string|sorted_target|two_sum|graph[:seed], or fn:NAME[:seed]
  tracecast test FILE --problem SLUG [--format ndjson]
                                       grade FILE against a problem's cases; exit 0 when all pass
  tracecast problems import DIR | problems export DIR
                                       copy problem files (<slug>.json) into the store the configuration names
                                       (DATABASE_URL, else the PGlite data dir: stop the server first), or out of it
  tracecast replay RUN_ID [--server URL] [--format text|ndjson]
                                       print a finished run's stored trace, as \`run\` prints a live one`;

async function serve(): Promise<void> {
  const logger = createLogger({ service: 'tracecast' });
  const server = await startServer(loadConfig(), logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function problemsCommand(action: 'import' | 'export', dir: string): Promise<number> {
  const store = await openStore(loadConfig());
  try {
    if (action === 'import') {
      const { created, updated, unchanged } = await importIntoStore(store, dir);
      process.stdout.write(`created ${created.length}, updated ${updated.length}, unchanged ${unchanged.length}\n`);
      for (const slug of [...created, ...updated]) process.stdout.write(`  ${created.includes(slug) ? 'created' : 'updated'} ${slug}\n`);
    } else {
      const files = await exportFromStore(store, dir);
      process.stdout.write(`wrote ${files.length} problems to ${dir}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`tracecast: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'problems':
      if (rest.length !== 2 || !['import', 'export'].includes(rest[0])) break;
      return problemsCommand(rest[0] as 'import' | 'export', rest[1]);
    case 'run':
    case 'bench':
    case 'test':
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          lang: { type: 'string' },
          server: { type: 'string', default: process.env.TRACECAST_URL ?? 'http://127.0.0.1:8080' },
          format: { type: 'string', default: 'text' },
          stdin: { type: 'string', multiple: true, default: [] },
          entry: { type: 'string' },
          generator: { type: 'string' },
          sizes: { type: 'string' },
          repeats: { type: 'string' },
          problem: { type: 'string' },
        },
      });
      if (positionals.length !== 1 || !['text', 'ndjson'].includes(values.format!)) break;
      const common = { lang: values.lang, server: values.server!, format: values.format as 'text' | 'ndjson' };
      if (command === 'run') return runFile(positionals[0], { ...common, stdin: values.stdin! });
      if (command === 'replay') return replayRun(positionals[0], common);
      if (command === 'test') {
        if (!values.problem) break;
        return testFile(positionals[0], { ...common, problem: values.problem });
      }
      if (!values.entry || !values.generator) break;
      return benchFile(positionals[0], { ...common, entry: values.entry, generator: values.generator, sizes: values.sizes, repeats: values.repeats ? Number(values.repeats) : undefined });
    }
  }
  process.stderr.write(USAGE + '\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tracecast: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
