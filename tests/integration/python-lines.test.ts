/**
 * The Python tracer's line events, traced end to end through the server, equal what a plain
 * sys.settrace line hook reports for the same program under the same Python (the sandbox's).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { imageTag } from '../../sandbox-images/images.ts';
import { runInImage } from '../support/docker-run.ts';
import { type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const DIR = fileURLToPath(new URL('../../dev/tracers/python/line-corpus/', import.meta.url));
// the reference hook is a development script, not in the image: handed to the image's Python as `-c`
const REFERENCE = readFileSync(fileURLToPath(new URL('../../dev/tracers/python/settrace_lines.py', import.meta.url)), 'utf8');
const programs = readdirSync(DIR).filter((f) => f.endsWith('.py')).sort();

describe('python line semantics equal sys.settrace', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient());
  });
  after(() => stopWithClient(server, client));

  it('has a corpus of at least ten programs', () => assert.ok(programs.length >= 10, `${programs.length} programs`));

  for (const name of programs) {
    it(name, async () => {
      const code = readFileSync(DIR + name, 'utf8');
      const reference = await runInImage(imageTag('python'), ['python3', '-c', REFERENCE], code);
      assert.equal(reference.exitCode, 0, reference.stderr);
      const expected = (JSON.parse(reference.stdout) as Array<[string, number, string]>).filter(([ev]) => ev === 'line').map(([, line, fn]) => `${line} ${fn}`);
      const { frames } = await client.execute('python', code);
      const got = frames.flatMap((f) => (f.type === 'steps' ? f.steps : [])).filter((s) => s.ev === 'line').map((s) => `${s.line} ${s.fn}`);
      assert.ok(expected.length > 5);
      assert.deepEqual(got, expected);
    });
  }
});
