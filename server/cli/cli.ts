/** `tracecast` command line: one table of commands, each with its usage, options and handler; `--help` on any of them. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config.ts';
import { startServer } from '../main.ts';
import { createLogger } from '../obs/logger.ts';
import { exportFromStore, importIntoStore } from '../problems/catalog-store.ts';
import { openStore } from '../store/open-store.ts';
import { benchFile, testFile } from './bench-test-commands.ts';
import { describeError } from './describe-error.ts';
import { replayRun, runFile } from './run-command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  /** The arguments after the command's name, as the usage line shows them. */
  synopsis: string;
  /** What it does and what its exit status means. */
  about: string;
  options: Options;
  positionals: number;
  /** Resolves with the exit status, or -1 for a command that keeps running (serve). */
  run(values: Values, positionals: string[]): Promise<number>;
}

const CLIENT_OPTIONS: Options = {
  server: { type: 'string', default: process.env.TRACECAST_URL ?? 'http://127.0.0.1:8080' },
  // For a server with TRACECAST_AUTH on; the environment keeps it out of the shell's history and `ps`.
  token: { type: 'string', ...(process.env.TRACECAST_TOKEN ? { default: process.env.TRACECAST_TOKEN } : {}) },
  format: { type: 'string', default: 'text' },
};
const CLIENT_SYNOPSIS = '[--server URL] [--token JWT] [--format text|ndjson]';

const client = (v: Values) => ({ server: v.server as string, token: v.token as string | undefined, format: v.format as 'text' | 'ndjson' });

const COMMANDS: Record<string, Command> = {
  serve: {
    synopsis: '[--role all|gateway|runner]',
    about: 'start the server (configuration from environment variables: see the README); --role (default $TRACECAST_ROLE, else all) splits it for scale-out: gateway (WebSockets, HTTP, no Docker) or runner (runs from the queue on this host\'s Docker engine); Ctrl-C or SIGTERM stops it cleanly',
    options: { role: { type: 'string' } },
    positionals: 0,
    run: async (v) => {
      await serve(v.role as string | undefined);
      return -1;
    },
  },
  run: {
    synopsis: `FILE [--lang python|javascript|cpp] [--stdin LINE]... [--entry NAME [--args JSON]] ${CLIENT_SYNOPSIS}`,
    about: 'trace FILE through a server, a line per step; with --entry, then call that function with the JSON array --args and print what it returned; exit 0 for verdict ok, 1 for another verdict, 2 when it could not run',
    options: { ...CLIENT_OPTIONS, lang: { type: 'string' }, stdin: { type: 'string', multiple: true, default: [] }, entry: { type: 'string' }, args: { type: 'string' } },
    positionals: 1,
    run: (v, [file]) => runFile(file, { ...client(v), lang: v.lang as string | undefined, stdin: v.stdin as string[], call: callOf(v) }),
  },
  bench: {
    synopsis: `FILE --entry NAME --generator SPEC [--sizes 100,500,1000|100..5000x8] [--repeats N] [--lang L] ${CLIENT_SYNOPSIS}`,
    about: 'benchmark a function over growing inputs and name its complexity class; SPEC: random_ints|sorted_ints|reversed_ints|string|sorted_target|two_sum|graph[:seed], or fn:NAME[:seed] for the program\'s own generator (C++: the built-in ones but graph)',
    options: { ...CLIENT_OPTIONS, lang: { type: 'string' }, entry: { type: 'string' }, generator: { type: 'string' }, sizes: { type: 'string' }, repeats: { type: 'string' } },
    positionals: 1,
    run: async (v, [file]) => {
      if (!v.entry || !v.generator) throw new UsageError('--entry and --generator are required');
      return benchFile(file, { ...client(v), lang: v.lang as string | undefined, entry: v.entry as string, generator: v.generator as string, sizes: v.sizes as string | undefined, repeats: v.repeats ? Number(v.repeats) : undefined });
    },
  },
  test: {
    synopsis: `FILE --problem SLUG [--lang L] ${CLIENT_SYNOPSIS}`,
    about: 'grade FILE against a problem\'s cases (GET /api/problems lists them); exit 0 when every case passes',
    options: { ...CLIENT_OPTIONS, lang: { type: 'string' }, problem: { type: 'string' } },
    positionals: 1,
    run: async (v, [file]) => {
      if (!v.problem) throw new UsageError('--problem is required');
      return testFile(file, { ...client(v), lang: v.lang as string | undefined, problem: v.problem as string });
    },
  },
  replay: {
    synopsis: `RUN_ID ${CLIENT_SYNOPSIS}`,
    about: 'print a finished run\'s stored trace, as `run` prints a live one',
    options: CLIENT_OPTIONS,
    positionals: 1,
    run: (v, [run]) => replayRun(run, client(v)),
  },
  problems: {
    synopsis: 'import DIR | export DIR',
    about: 'copy problem files (<slug>.json) into the store the configuration names (DATABASE_URL, else the PGlite data folder: stop the server first), or out of it',
    options: {},
    positionals: 2,
    run: (_v, [action, dir]) => problemsCommand(action, dir),
  },
};

class UsageError extends Error {}

/** `--entry` and `--args` as the `execute` fields (`--args` a JSON array; without it, no arguments). */
function callOf(v: Values): { entry: string; args: unknown[] } | undefined {
  if (v.entry === undefined) {
    if (v.args !== undefined) throw new UsageError('--args needs --entry: the function to call with them');
    return undefined;
  }
  let args: unknown = [];
  if (v.args !== undefined) {
    try {
      args = JSON.parse(v.args as string);
    } catch (err) {
      throw new UsageError(`--args is not JSON: ${(err as Error).message}`);
    }
  }
  if (!Array.isArray(args)) throw new UsageError('--args is a JSON array of the arguments, e.g. --args \'[[2, 7, 11, 15], 9]\'');
  return { entry: v.entry as string, args };
}

const usageOf = (name: string) => `tracecast ${name}${COMMANDS[name].synopsis ? ` ${COMMANDS[name].synopsis}` : ''}`;

function usage(): string {
  const lines = ['usage: tracecast COMMAND [options]   (tracecast COMMAND --help for one command)', ''];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${usageOf(name)}`, `      ${COMMANDS[name].about}`);
  return lines.join('\n') + '\n';
}

async function serve(role: string | undefined): Promise<void> {
  const config = loadConfig(role === undefined ? process.env : { ...process.env, TRACECAST_ROLE: role });
  const logger = createLogger({ service: 'tracecast', ...(config.role === 'all' ? {} : { role: config.role }) });
  // Handlers first: a signal that comes while the server starts (a supervisor stopping it at once) stops it cleanly
  // once it has started, rather than killing it half-way with containers left behind.
  let stopping = false;
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  const shutDown = (started: NonNullable<typeof server>) =>
    started.close().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    if (server) shutDown(server);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  server = await startServer(config, logger).catch((err: unknown) => {
    throw new Error('could not start the server', { cause: err });
  });
  if (stopping) shutDown(server);
}

async function problemsCommand(action: string, dir: string): Promise<number> {
  if (action !== 'import' && action !== 'export') throw new UsageError(`unknown action ${action}: import or export`);
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
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && COMMANDS[topic] ? `usage: ${usageOf(topic)}\n  ${COMMANDS[topic].about}\n` : usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tracecast: unknown command ${name}\n\n${usage()}`);
    return 2;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { ...command.options, help: { type: 'boolean', short: 'h' } } }) as typeof parsed;
    if (parsed.values.help) {
      process.stdout.write(`usage: ${usageOf(name)}\n  ${command.about}\n`);
      return 0;
    }
    if (parsed.positionals.length !== command.positionals) throw new UsageError(`expected ${command.positionals} argument(s), got ${parsed.positionals.length}`);
    if ('format' in parsed.values && !['text', 'ndjson'].includes(parsed.values.format as string)) throw new UsageError('--format is text or ndjson');
    return await command.run(parsed.values, parsed.positionals);
  } catch (err) {
    // parseArgs reports unknown options and missing values with a code of its own.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tracecast ${name}: ${(err as Error).message}\nusage: ${usageOf(name)}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tracecast: ${describeError(err)}\n`);
    process.exitCode = 2;
  },
);
