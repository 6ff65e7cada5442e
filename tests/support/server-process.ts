/** Starts `tracecast serve` as a separate process (a real gateway), for shutdown and multi-gateway tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { BIN } from './cli.ts';

/** What `npm start` runs: the server compiled by scripts/build.sh (set-up, and so the test command, runs it). */
const BUILT = fileURLToPath(new URL('../../.build/server/cli/cli.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  runnerId: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * `env` is laid over this process's environment; an undefined value unsets a variable. `from`: the sources through
 * tsx (`bin/tracecast.mjs`, as `npx tracecast serve`), or the compiled server `npm start` runs.
 */
export async function spawnServer(env: Record<string, string | undefined>, from: 'sources' | 'build' = 'sources'): Promise<ServerProcess> {
  const runnerId = `proc-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  if (from === 'build' && !existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`bash scripts/build.sh\` (the test command's set-up does)`);
  const child = spawn(process.execPath, [from === 'build' ? BUILT : BIN, 'serve'], { env: { ...process.env, PORT: '0', TRACECAST_RUNNER_ID: runnerId, ...env } });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /"url":"http:\/\/[^:]+:(\d+)"/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`server exited early: ${stderr}`)));
  });
  return { child, port, runnerId, stderr: () => stderr, exited };
}
