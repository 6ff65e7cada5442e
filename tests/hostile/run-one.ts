/**
 * Reproduces hostile runs by hand: runs the given programs (corpus files or any .py/.js/.cpp) at once
 * against an in-process server with hostile.test.ts's limits (per-case limits from the manifest),
 * and prints each verdict, timing, the runner's error log lines and the output.
 *
 *   node --import tsx tests/hostile/run-one.ts tests/hostile/corpus/javascript/vm-escape-process.js [...]
 *
 * Builds the sandbox images first (skipped when their tags exist): the tracers change often.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';
import { MAX_STEPS, OUTPUT_BYTES, SERVER_TIMEOUT_MS, TIMEOUT_MS, hostile, type HostileLanguage } from './manifest.ts';

const LANG: Record<string, HostileLanguage> = { '.py': 'python', '.js': 'javascript', '.cpp': 'cpp' };
const CORPUS = path.join(path.dirname(new URL(import.meta.url).pathname), 'corpus');

const build = spawnSync(process.execPath, ['--import', 'tsx', 'sandbox-images/build.ts', 'all'], { encoding: 'utf8' });
if (build.status !== 0) console.error(build.stdout.slice(-2000), build.stderr.slice(-2000));

const server = await startTestServer({
  env: {
    TRACECAST_TIMEOUT_MS: String(SERVER_TIMEOUT_MS),
    TRACECAST_OUTPUT_BYTES: String(OUTPUT_BYTES),
    TRACECAST_MAX_STEPS: String(MAX_STEPS),
    TRACECAST_MAX_QUEUED_RUNS: '500',
  },
});
const connections: string[] = [];
const listener = createServer((s) => {
  connections.push(String(s.remoteAddress));
  s.destroy();
});
await new Promise<void>((resolve) => listener.listen(0, '::', resolve));
const hostPort = (listener.address() as { port: number }).port;
const hostAddresses = Object.values(networkInterfaces()).flat().flatMap((i) => (i && i.family === 'IPv4' ? [i.address] : []));
const fill = (code: string) => code.replaceAll('__HOST_PORT__', String(hostPort)).replaceAll('__HOST_ADDRESSES__', JSON.stringify(hostAddresses));

try {
  await Promise.all(
    process.argv.slice(2).map(async (file) => {
      const language = LANG[path.extname(file)];
      const entry = hostile.find((c) => path.resolve(CORPUS, c.file) === path.resolve(file));
      const limits = { timeoutMs: entry?.limits?.timeoutMs ?? TIMEOUT_MS[language], ...(entry?.limits?.maxSteps ? { maxSteps: entry.limits.maxSteps } : {}) };
      // One connection per run: closing it cancels only its own run.
      const client = await TestClient.connect(server.url);
      const t0 = Date.now();
      try {
        const { accepted, ended, frames } = await client.execute(language, fill(readFileSync(file, 'utf8')), { limits }, 120_000);
        const out = frames.flatMap((f: ServerFrame) => (f.type === 'output' ? [`[${f.stream}]${f.text}`] : [])).join('');
        const expected = entry ? ` (manifest: ${entry.verdict})` : '';
        console.log(`=== ${file}: ${ended.verdict}${expected} in ${Date.now() - t0} ms (wall ${ended.wallMs}) ${JSON.stringify(ended.error ?? null)}`);
        for (const l of server.logs) if (l.includes(accepted.run) && l.includes('"error"')) console.log('  log:', l.slice(0, 400));
        console.log(out.length > 1500 ? `${out.slice(0, 700)}\n...[${out.length}]...\n${out.slice(-700)}` : out);
      } catch (err) {
        console.log(`=== ${file}: ${(err as Error).message}`);
      } finally {
        client.close();
      }
    }),
  );
} finally {
  console.log('connections to the host listener:', connections);
  listener.close();
  await server.close();
}
