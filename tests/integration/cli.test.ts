/** `tracecast run` against a running server: the human trace, ndjson frames and exit codes. */
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const BUBBLE = fileURLToPath(new URL('../fixtures/bubble.py', import.meta.url));

describe('tracecast run', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'tracecast-cli-'));
  });
  after(() => server.close());
  const url = () => `http://127.0.0.1:${server.port}`;

  it('prints every executed line of a bubble sort in order, with the list changing', async () => {
    const { code, stdout, stderr } = await runCli(['run', BUBBLE, '--server', url()]);
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    const stepLines = lines.filter((l) => /^\s*\d+\s/.test(l));
    assert.ok(stepLines.length > 100, `${stepLines.length} step lines`);
    assert.match(stepLines[0], /^\s+1\s+<module>\s+nums=\[64, 25, 12, 22, 11, 90, 3, 47, 5, 38\]$/);
    assert.match(stepLines[1], /^\s+2\s+<module>\s+n=10$/);
    assert.match(stepLines[3], /^\s+4\s+<module>\s+swapped=False$/);
    const snapshots = stdout.match(/nums=\[[^\]]*\]/g) ?? [];
    assert.ok(snapshots.length > 10, 'the list is shown each time it changes');
    assert.equal(snapshots[snapshots.length - 1], 'nums=[3, 5, 11, 12, 22, 25, 38, 47, 64, 90]');
    assert.ok(lines.includes('   > [3, 5, 11, 12, 22, 25, 38, 47, 64, 90]'), 'the print is shown');
    assert.match(lines[lines.length - 1], /^verdict: ok\b/);
  });

  it('--format ndjson prints one decoded frame per line', async () => {
    const { code, stdout } = await runCli(['run', BUBBLE, '--server', url(), '--format', 'ndjson']);
    assert.equal(code, 0);
    const frames = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(frames[0].type, 'accepted');
    assert.equal(frames[1].type, 'run.started');
    assert.equal(frames[frames.length - 1].type, 'run.ended');
    assert.ok(frames.some((f) => f.type === 'steps'));
  });

  it('tracecast replay prints a stored run exactly as run printed it live', async () => {
    const live = await runCli(['run', BUBBLE, '--server', url(), '--format', 'ndjson']);
    assert.equal(live.code, 0, live.stderr);
    const [accepted, ...frames] = live.stdout.trimEnd().split('\n');
    const run = JSON.parse(accepted).run as string;
    const replayed = await runCli(['replay', run, '--server', url(), '--format', 'ndjson']);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.deepEqual(replayed.stdout.trimEnd().split('\n'), frames);
    const text = await runCli(['replay', run, '--server', url()]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\n\s+7\s+<module>\s+nums=\[25, 64/);
    assert.match(text.stdout.trimEnd().split('\n').at(-1)!, /^verdict: ok\b/);
    const missing = await runCli(['replay', 'no-such-run', '--server', url()]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not_found/);
  });

  it('exits 1 for another verdict and 2 when it cannot run', async () => {
    const bad = join(dir, 'bad.py');
    await writeFile(bad, 'raise ValueError("nope")\n');
    const failed = await runCli(['run', bad, '--server', url()]);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /verdict: runtime_error — ValueError: nope \(line 1\)/);
    const unknown = await runCli(['run', join(dir, 'prog.txt'), '--server', url()]);
    assert.equal(unknown.code, 2);
    const noServer = await runCli(['run', bad, '--server', 'http://127.0.0.1:1']);
    assert.equal(noServer.code, 2);
  });

  it('tracecast bench prints each point and the fit: binary_search is O(log n), two_sum O(n)', async () => {
    const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url));
    const bs = await runCli(['bench', fixture('binary_search.py'), '--entry', 'binary_search', '--generator', 'sorted_target', '--server', url()]);
    assert.equal(bs.code, 0, bs.stderr);
    assert.equal(bs.stdout.split('\n').filter((l) => /^\s+\d+\s+[\d.]+ [µm]?s/.test(l)).length, 5, bs.stdout);
    assert.match(bs.stdout, /^verdict: O\(log n\) from the operations/m);
    const ts = await runCli(['bench', fixture('two_sum.py'), '--entry', 'two_sum', '--generator', 'two_sum:3', '--sizes', '100..5000x6', '--format', 'ndjson', '--server', url()]);
    assert.equal(ts.code, 0, ts.stderr);
    const frames = ts.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(frames.filter((f) => f.type === 'bench.point').length, 6);
    assert.equal(frames.find((f) => f.type === 'bench.fit').verdict.cls, 'O(n)');
  });

  it('tracecast test prints each case and the summary; exit 1 unless all pass', async () => {
    const wrong = fileURLToPath(new URL('../../problems/solutions/wrong/two_sum.py', import.meta.url));
    const r = await runCli(['test', wrong, '--problem', 'two_sum', '--server', url()]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^FAIL  dup_pair/m);
    assert.match(r.stdout, /^PASS  ex1/m);
    assert.match(r.stdout, /^11\/14 passed/m);
    const right = fileURLToPath(new URL('../../problems/solutions/two_sum.py', import.meta.url));
    assert.equal((await runCli(['test', right, '--problem', 'two_sum', '--server', url()])).code, 0);
  });
});

describe('tracecast --help', () => {
  for (const command of ['serve', 'run', 'bench', 'test', 'replay', 'problems']) {
    for (const flag of ['--help', '-h']) {
      it(`${command} ${flag} prints the command's usage and exits 0 (and does nothing else)`, async () => {
        const { code, stdout, stderr } = await runCli([command, flag]);
        assert.equal(code, 0, stderr);
        assert.match(stdout, new RegExp(`^usage: tracecast ${command}\\b`));
        assert.doesNotMatch(stderr, /listening/);
      });
    }
  }

  it('no command: the usage of every command, exit 2; --help: the same, exit 0', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, none.stdout);
    for (const command of ['serve', 'run', 'bench', 'test', 'replay', 'problems']) assert.match(help.stdout, new RegExp(`^  tracecast ${command}\\b`, 'm'));
  });

  it('a bad option is a usage error naming the option, exit 2', async () => {
    const { code, stderr } = await runCli(['run', 'x.py', '--no-such-option']);
    assert.equal(code, 2);
    assert.match(stderr, /^tracecast run: .*--no-such-option/);
    assert.match(stderr, /usage: tracecast run FILE/);
  });
});
