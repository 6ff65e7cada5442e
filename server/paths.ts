/**
 * Where tracecast's own files are. Every file the server reads at run time (problems, tracer runtimes, image
 * inputs, shell helpers, the viewer, the data folder) is found from the repository root, which this module finds by
 * walking up from its own location to tracecast's package.json. That works the same in the sources (run through
 * tsx) and in the bundle `npm start` runs (.build/server/), so no path depends on how the server was started.
 *
 * The root is a real path (symlinks resolved): PGlite cannot open a data folder whose path goes through a symlink.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tracecast') return realpathSync(dir);
    if (path.dirname(dir) === dir) throw new Error(`tracecast's package.json not found above ${from}`);
  }
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

const at = (...parts: string[]) => path.join(ROOT, ...parts);

export const paths = {
  root: ROOT,
  /** The shipped problem catalog (`TRACECAST_PROBLEMS_DIR` overrides it). */
  problems: at('problems'),
  /** The tracer runtimes copied into the sandbox images (and hashed into their tags). */
  tracerRuntimes: at('tracer-runtimes'),
  /** Dockerfiles and package lists of the sandbox images. */
  sandboxImages: at('sandbox-images'),
  /** The per-container supervisor script of per-owner reuse. */
  supervisor: at('server', 'sandbox', 'supervisor.sh'),
  /** PGlite's default data folder (`TRACECAST_DATA_DIR` overrides it). */
  dataDir: at('.tracecast-data'),
  /** What set-up builds: the server bundle and the viewer's static files. */
  build: at('.build'),
  /** The server bundle `npm start` and `npx tracecast` run. */
  serverBundle: at('.build', 'server', 'cli.js'),
  /** The viewer's static files (web/, built by set-up), served by the gateway. */
  web: at('.build', 'web'),
} as const;
