/** Development aid: runs hostile corpus files (or any files) against an in-process server and prints what came back.
 *  node --import tsx tests/hostile/run-one.ts tests/hostile/corpus/python/fork-bomb.py [...] */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const LANG: Record<string, string> = { '.py': 'python', '.js': 'javascript', '.cpp': 'cpp' };

// The tracers change often; build.ts skips images whose content tag already exists.
const build = spawnSync(process.execPath, ['--import', 'tsx', 'sandbox-images/build.ts', 'all'], { encoding: 'utf8' });
if (build.status !== 0) console.error(build.stdout.slice(-2000), build.stderr.slice(-2000));
const server = await startTestServer({ env: { TRACECAST_TIMEOUT_MS: process.env.T ?? '4000', TRACECAST_OUTPUT_BYTES: '262144', TRACECAST_MAX_STEPS: '200000', TRACECAST_MAX_QUEUED_RUNS: '500' } });
const client = await TestClient.connect(server.url);
const connections: string[] = [];
const listener = createServer((s) => { connections.push(String(s.remoteAddress)); s.destroy(); });
await new Promise<void>((r) => listener.listen(0, '0.0.0.0', r));
const hostPort = (listener.address() as { port: number }).port;
const hostAddresses = Object.values(networkInterfaces()).flat().flatMap((i) => (i && i.family === 'IPv4' ? [i.address] : []));
const fill = (code: string) => code.replaceAll('__HOST_PORT__', String(hostPort)).replaceAll('__HOST_ADDRESSES__', JSON.stringify(hostAddresses));
try {
  await Promise.all(
    process.argv.slice(2).map(async (file) => {
      const t0 = Date.now();
      const { accepted, ended, frames } = await client.execute(LANG[path.extname(file)], fill(readFileSync(file, 'utf8')), {}, 60_000);
      const out = frames.flatMap((f: ServerFrame) => (f.type === 'output' ? [`[${f.stream}]${f.text}`] : [])).join('');
      console.log(`=== ${file}: ${ended.verdict} in ${Date.now() - t0} ms (wall ${ended.wallMs}) ${JSON.stringify(ended.error ?? null)}`);
      for (const l of server.logs) if (l.includes(accepted.run) && l.includes('"error"')) console.log('  log:', l.slice(0, 400));
      console.log(out.length > 1500 ? `${out.slice(0, 700)}\n...[${out.length}]...\n${out.slice(-700)}` : out);
    }),
  );
} finally {
  console.log('host connections:', connections);
  listener.close();
  client.close();
  await server.close();
}
