/** Development aid: runs hostile corpus files (or any files) against an in-process server and prints what came back.
 *  node --import tsx tests/hostile/run-one.ts tests/hostile/corpus/python/fork-bomb.py [...] */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const LANG: Record<string, string> = { '.py': 'python', '.js': 'javascript', '.cpp': 'cpp' };

// The tracers change often; build.ts skips images whose content tag already exists.
spawnSync(process.execPath, ['--import', 'tsx', 'sandbox-images/build.ts', 'all'], { stdio: 'ignore' });
const server = await startTestServer({ env: { TRACECAST_TIMEOUT_MS: process.env.T ?? '4000', TRACECAST_OUTPUT_BYTES: '262144', TRACECAST_MAX_STEPS: '200000', TRACECAST_TEST_SECRET: 'x' } });
const client = await TestClient.connect(server.url);
try {
  await Promise.all(
    process.argv.slice(2).map(async (file) => {
      const t0 = Date.now();
      const { ended, frames } = await client.execute(LANG[path.extname(file)], readFileSync(file, 'utf8'), {}, 60_000);
      const out = frames.flatMap((f: ServerFrame) => (f.type === 'output' ? [`[${f.stream}]${f.text}`] : [])).join('');
      console.log(`=== ${file}: ${ended.verdict} in ${Date.now() - t0} ms (wall ${ended.wallMs}) ${JSON.stringify(ended.error ?? null)}`);
      console.log(out.length > 1500 ? `${out.slice(0, 700)}\n...[${out.length}]...\n${out.slice(-700)}` : out);
    }),
  );
} finally {
  client.close();
  await server.close();
}
