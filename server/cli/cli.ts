/** `tracecast` command line: `serve` starts the server; `run FILE` traces a program through a server. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { startServer } from '../main.ts';
import { createLogger } from '../obs/logger.ts';
import { runFile } from './run-command.ts';

const USAGE = `usage:
  tracecast serve                      start the server (configuration from environment variables; see README)
  tracecast run FILE [--lang python|javascript] [--server URL] [--format text|ndjson] [--stdin LINE]...
                                       trace FILE through a server; exit 0 for verdict ok, 1 for another verdict, 2 when it could not run`;

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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          lang: { type: 'string' },
          server: { type: 'string', default: process.env.TRACECAST_URL ?? 'http://127.0.0.1:8080' },
          format: { type: 'string', default: 'text' },
          stdin: { type: 'string', multiple: true, default: [] },
        },
      });
      if (positionals.length !== 1 || !['text', 'ndjson'].includes(values.format!)) break;
      return runFile(positionals[0], { lang: values.lang, server: values.server!, format: values.format as 'text' | 'ndjson', stdin: values.stdin! });
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
