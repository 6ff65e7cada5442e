/** C++ through the server: compile (with the compiler's memory allowance), then run under the run's limits; viz steps and verdicts. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const EXAMPLES = new URL('../../dev/tracers/cpp/examples/', import.meta.url);
const example = (name: string) => readFile(new URL(name, EXAMPLES), 'utf8');
const output = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join('');
const steps = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'steps' ? f.steps : []));

describe('C++ runs', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    // Compiling takes 1-3 s of the wall clock on this machine, more under load.
    server = await startTestServer({ env: { TRACECAST_TIMEOUT_MS: '30000', TRACECAST_MEMORY_MB: '128', TRACECAST_COMPILE_MEMORY_MB: '256' } });
    client = await TestClient.connect(server.url);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('ok: the viz API gives steps, output arrives, the verdict is ok', async () => {
    const { ended, frames } = await client.execute('cpp', await example('bubble_sort.cpp'), {}, 60_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const s = steps(frames);
    assert.ok(s.length > 10 && s.every((x) => x.ev === 'viz'), `${s.length} viz steps`);
    assert.deepEqual(s.map((x) => x.i), s.map((_, i) => i));
    assert.equal(s[0].viz?.op, 'note');
    assert.match(output(frames), /pass done, last = 8/);
  });

  it('compile_error: the diagnostics and the line of the first error', async () => {
    const { ended } = await client.execute('cpp', '#include <iostream>\nint main() {\n  int x = ;\n}\n', {}, 60_000);
    assert.equal(ended.verdict, 'compile_error', JSON.stringify(ended));
    assert.equal(ended.error?.type, 'CompileError');
    assert.equal(ended.error?.line, 3);
    assert.match(ended.error!.message, /error/);
  });

  it('a program whose compile needs more than the run\'s memory limit compiles and runs', async () => {
    const code = '#include <bits/stdc++.h>\n#include <thread>\nint main() {\n  int r = 0;\n  std::thread t([&] { r = 42; });\n  t.join();\n  std::cout << "result " << r << "\\n";\n}\n';
    const { ended, frames } = await client.execute('cpp', code, {}, 60_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.equal(output(frames), 'result 42\n');
  });

  it('memory_limit: the program runs under the run\'s limit, not the compiler\'s', async () => {
    // 200 MB fits the compiler's 256 MB but not the run's 128 MB.
    const code = '#include <cstdlib>\n#include <cstdio>\nint main() {\n  volatile char* p = (volatile char*)malloc(200u << 20);\n  for (unsigned i = 0; i < (200u << 20); i += 4096) p[i] = 1;\n  printf("touched\\n");\n}\n';
    const { ended } = await client.execute('cpp', code, {}, 60_000);
    assert.equal(ended.verdict, 'memory_limit', JSON.stringify(ended));
  });

  it('runtime_error: a segfault with its signal, and the output printed before it', async () => {
    const { ended, frames } = await client.execute('cpp', await example('segfault.cpp'), {}, 60_000);
    assert.equal(ended.verdict, 'runtime_error', JSON.stringify(ended));
    assert.equal(ended.error?.signal, 'SIGSEGV');
    assert.match(output(frames), /about to crash/);
  });

  it('stdin lines reach the program', async () => {
    const code = '#include <iostream>\n#include <string>\nint main() {\n  std::string a, b;\n  std::getline(std::cin, a);\n  std::getline(std::cin, b);\n  std::cout << b << "," << a << "\\n";\n}\n';
    const { ended, frames } = await client.execute('cpp', code, { stdin: ['first', 'second'] }, 60_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.equal(output(frames), 'second,first\n');
  });

  it('test refuses C++ with unsupported_language (benchmarks: cpp-bench.test.ts)', async () => {
    const reply = await client.request({ type: 'test', language: 'cpp', code: 'int twoSum() { return 0; }', problem: 'two_sum' });
    assert.equal(reply.type, 'error');
    assert.equal((reply as { code: string }).code, 'unsupported_language');
    assert.match((reply as { message: string }).message, /problem two_sum has no cpp version/);
  });
});
