/**
 * `benchmark` of C++ functions through the real server and the cpp sandbox: the parameter types the built-in
 * generators take, ops null and a timings-only fit, a crash at one size, compile errors, refused generators, the
 * budget, the CLI. Behaviour only: which class a timing fit picks on a busy shared machine is not asserted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { runCli } from '../support/cli.ts';
import { startWithClient, stopWithClient, type TestServer } from '../support/server.ts';
import type { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const only = <T extends ServerFrame['type']>(frames: ServerFrame[], type: T) => frames.filter((f): f is F<T> => f.type === type);
const output = (frames: ServerFrame[]) => only(frames, 'output').map((f) => f.text).join('');

const SUM = `#include <vector>
long long sum_all(const std::vector<int>& v) {
  long long s = 0;
  for (int x : v) s += x;
  return s;
}
`;
const PAIRS = `#include <vector>
int rising_pairs(const std::vector<int>& v) {
  int count = 0;
  for (std::size_t i = 0; i < v.size(); i++)
    for (std::size_t j = i + 1; j < v.size(); j++)
      if (v[i] < v[j]) count++;
  return count;
}
`;

describe('C++ benchmarks', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient({ env: { TRACECAST_MEMORY_MB: '128', TRACECAST_COMPILE_MEMORY_MB: '256' } }));
  });
  after(() => stopWithClient(server, client));

  const bench = (code: string, entry: string, builtin: string, extra: Record<string, unknown> = {}) =>
    client.execute('cpp', code, { type: 'benchmark', entry, generator: { builtin, seed: 5 }, ...extra }, 120_000);

  for (const [name, code, entry, sizes] of [
    ['O(n) sum', SUM, 'sum_all', [1000, 4000, 16000, 64000]],
    ['O(n^2) count of rising pairs', PAIRS, 'rising_pairs', [100, 200, 400, 800]],
  ] as const) {
    it(`${name}: a bench.point per size with ops null and positive times, then a fit of the timings alone that says why`, async () => {
      const { ended, frames } = await bench(code, entry, 'random_ints', { sizes, repeats: 3 });
      assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
      assert.deepEqual(frames.map((f) => f.type), ['run.started', 'bench.started', ...sizes.map(() => 'bench.point'), 'bench.fit', 'run.ended']);
      const points = only(frames, 'bench.point');
      assert.deepEqual(points.map((p) => p.n), sizes);
      for (const p of points) {
        assert.equal(p.ops, null);
        assert.equal(p.builtinShare, 0);
        assert.equal(p.times.length, 3);
        assert.ok(p.times.every((t) => t > 0) && p.time.min > 0 && p.time.min <= p.time.median, JSON.stringify(p));
        assert.ok(p.peakKb > 0);
      }
      const fit = only(frames, 'bench.fit')[0];
      assert.equal(fit.ops, null);
      assert.ok(fit.time, 'the timings are fitted');
      assert.equal(fit.verdict?.series, 'time');
      assert.match(fit.verdict!.reason, /^C\+\+ has no operation count \(timings only\)/);
    });
  }

  it('takes each generator\'s arguments as const T&, T& (sorted in place: every repeat gets a fresh copy), by value, (vector, int) and std::string; a void function too', async () => {
    const cases = [
      // void, T&: says whether it was handed the generator's reversed input or a copy it already sorted.
      ['#include <algorithm>\n#include <cstdio>\n#include <vector>\nvoid sort_in_place(std::vector<int>& v) {\n  std::puts(std::is_sorted(v.begin(), v.end()) ? "reused" : "fresh");\n  std::sort(v.begin(), v.end());\n}\n', 'sort_in_place', 'reversed_ints'],
      ['#include <vector>\nlong long total(std::vector<int> v) {\n  long long s = 0;\n  for (int x : v) s += x;\n  return s;\n}\n', 'total', 'sorted_ints'],
      ['#include <unordered_map>\n#include <vector>\nstd::vector<int> two_sum(const std::vector<int>& nums, int target) {\n  std::unordered_map<int, int> seen;\n  for (int i = 0; i < (int)nums.size(); i++) {\n    auto it = seen.find(target - nums[i]);\n    if (it != seen.end()) return {it->second, i};\n    seen[nums[i]] = i;\n  }\n  return {};\n}\n', 'two_sum', 'two_sum'],
      ['#include <vector>\nbool contains(std::vector<int> v, int target) {\n  int lo = 0, hi = (int)v.size() - 1;\n  while (lo <= hi) {\n    int mid = (lo + hi) / 2;\n    if (v[mid] == target) return true;\n    if (v[mid] < target) lo = mid + 1; else hi = mid - 1;\n  }\n  return false;\n}\n', 'contains', 'sorted_target'],
      ['#include <string>\nint vowels(const std::string& s) {\n  int n = 0;\n  for (char c : s) n += c == \'a\' || c == \'e\' || c == \'i\' || c == \'o\' || c == \'u\';\n  return n;\n}\n', 'vowels', 'string'],
      ['#include <vector>\nint first(std::vector<int>& v) { return v.empty() ? 0 : v[0]; }\n', 'first', 'random_ints'],
    ] as const;
    const sizes = [10, 100, 1000];
    for (const [code, entry, generator] of cases) {
      const { ended, frames } = await bench(code, entry, generator, { sizes, repeats: 2 });
      assert.equal(ended.verdict, 'ok', `${entry}: ${JSON.stringify(ended)}`);
      const points = only(frames, 'bench.point');
      assert.deepEqual(points.map((p) => p.n), sizes, `${entry}: ${JSON.stringify(frames.slice(-3))}`);
      assert.ok(points.every((p) => p.ops === null && p.times.length === 2 && p.times.every((t) => t > 0)), entry);
      if (entry === 'sort_in_place') assert.deepEqual(output(frames).split('\n').filter(Boolean), Array(sizes.length * 2).fill('fresh'));
    }
  });

  it('a program with its own main is benchmarked all the same (its main is not called)', async () => {
    const code = `${SUM}#include <cstdio>\nint main() {\n  std::puts("main ran");\n  return 3;\n}\n`;
    const { ended, frames } = await bench(code, 'sum_all', 'random_ints', { sizes: [10, 20, 40], repeats: 1 });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.equal(only(frames, 'bench.point').length, 3);
    assert.equal(output(frames), '');
  });

  it('a compile error ends the run compile_error, with the line of the error; so does an entry that does not fit the generator', async () => {
    const broken = await bench('#include <vector>\nint f(const std::vector<int>& v) {\n  return v.size() +;\n}\n', 'f', 'random_ints');
    assert.equal(broken.ended.verdict, 'compile_error', JSON.stringify(broken.ended));
    assert.equal(broken.ended.error?.type, 'CompileError');
    assert.equal(broken.ended.error?.line, 3);
    const misfit = await bench('#include <string>\nint f(const std::string& s) { return s.size(); }\n', 'f', 'two_sum');
    assert.equal(misfit.ended.verdict, 'compile_error', JSON.stringify(misfit.ended));
    assert.match(misfit.ended.error!.message, /the function `f` cannot be called with the arguments of the generator two_sum/);
    const missing = await bench(SUM, 'no_such_function', 'random_ints');
    assert.equal(missing.ended.verdict, 'compile_error', JSON.stringify(missing.ended));
    assert.match(missing.ended.error!.message, /no_such_function/);
  });

  it('a segfault at one size is that size\'s bench.error, with the signal; the other sizes are measured', async () => {
    const code = '#include <vector>\nint crash_at_200(const std::vector<int>& v) {\n  if (v.size() == 200) {\n    volatile int* p = nullptr;\n    return *p;\n  }\n  return v.front();\n}\n';
    const { ended, frames } = await bench(code, 'crash_at_200', 'random_ints', { sizes: [100, 200, 300, 400], repeats: 2 });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    assert.deepEqual(frames.filter((f) => f.type === 'bench.point' || f.type === 'bench.error').map((f) => [f.type, (f as F<'bench.point'>).n]), [
      ['bench.point', 100],
      ['bench.error', 200],
      ['bench.point', 300],
      ['bench.point', 400],
    ]);
    const error = only(frames, 'bench.error')[0].error;
    assert.equal(error.type, 'Crash');
    assert.equal(error.signal, 'SIGSEGV');
    assert.match(error.message, /killed by SIGSEGV/);
    assert.equal(only(frames, 'bench.fit')[0].verdict?.series, 'time');
  });

  it('an exception at one size is that size\'s bench.error, with its type and what()', async () => {
    const code = '#include <stdexcept>\n#include <vector>\nint picky(const std::vector<int>& v) {\n  if (v.size() == 20) throw std::invalid_argument("not twenty");\n  return 0;\n}\n';
    const { ended, frames } = await bench(code, 'picky', 'random_ints', { sizes: [10, 20, 30], repeats: 1 });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const [error] = only(frames, 'bench.error');
    assert.equal(error.n, 20);
    assert.deepEqual(error.error, { type: 'std::invalid_argument', message: 'not twenty', line: null });
  });

  it('stops with bench.stopped when the next size would pass the budget', async () => {
    const { ended, frames } = await bench(PAIRS, 'rising_pairs', 'random_ints', { sizes: [1000, 4000, 16000, 64000, 256000, 1024000], repeats: 2, budgetMs: 2500 });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const stopped = only(frames, 'bench.stopped');
    assert.equal(stopped.length, 1, JSON.stringify(frames.slice(-4)));
    const measured = only(frames, 'bench.point').map((p) => p.n);
    assert.ok(measured.length < 6 && !measured.includes(stopped[0].n), `${measured} then stopped at ${stopped[0].n}`);
    assert.ok(frames.findIndex((f) => f.type === 'bench.stopped') < frames.findIndex((f) => f.type === 'bench.fit'));
  });

  it('refuses graph and the program\'s own generator with unsupported_language, saying which generators C++ takes', async () => {
    for (const generator of [{ builtin: 'graph' }, { function: 'gen' }]) {
      const reply = await client.request({ type: 'benchmark', language: 'cpp', code: SUM, entry: 'sum_all', generator });
      assert.equal(reply.type, 'error', JSON.stringify(reply));
      const { code, message } = reply as F<'error'>;
      assert.equal(code, 'unsupported_language');
      assert.match(message, /^C\+\+ benchmarks take the built-in generators random_ints, sorted_ints, reversed_ints, string, sorted_target, two_sum; not /);
    }
  });

  it('tracecast bench FILE.cpp prints a row per size and the verdict', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tracecast-cpp-bench-')), 'prog.cpp');
    await writeFile(file, SUM);
    const r = await runCli(['bench', file, '--entry', 'sum_all', '--generator', 'random_ints', '--sizes', '100,1000,10000', '--server', `http://127.0.0.1:${server.port}`], {}, 120_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+[\d.]+ [µm]?s\s+[\d.]+ [µm]?s\s+-\s+0%$/.test(l));
    assert.equal(rows.length, 3, r.stdout);
    assert.match(r.stdout, /^operations: none \(no operation count: timings only\)$/m);
    assert.match(r.stdout, /^verdict: .+ from the time — C\+\+ has no operation count \(timings only\)/m);
  });
});
