/** `benchmark` through a real WebSocket and container: points stream one by one before the fit; fresh copies; budget stop. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { type TestServer, startWithClient, stopWithClient } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

const TWO_SUM = `def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
    return []
`;

describe('benchmark', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    ({ server, client } = await startWithClient());
  });
  after(() => stopWithClient(server, client));

  /** Runs a Python benchmark and records when each frame arrived. */
  async function bench(code: string, request: Record<string, unknown>) {
    const arrivals: Array<[string, number]> = [];
    const onMessage = () => arrivals.push([client.frames[client.frames.length - 1].type, Date.now()]);
    client.ws.on('message', onMessage);
    try {
      return { ...(await client.execute('python', code, { type: 'benchmark', ...request }, 60_000)), arrivals };
    } finally {
      client.ws.off('message', onMessage);
    }
  }

  it('streams bench.started, one bench.point per size as measured, then bench.fit', async () => {
    const { ended, frames, arrivals } = await bench(TWO_SUM, { entry: 'two_sum', generator: { builtin: 'two_sum', seed: 7 } });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const types = frames.map((f) => f.type);
    assert.deepEqual(types, ['run.started', 'bench.started', 'bench.point', 'bench.point', 'bench.point', 'bench.point', 'bench.point', 'bench.fit', 'run.ended']);
    const points = frames.filter((f): f is F<'bench.point'> => f.type === 'bench.point');
    assert.deepEqual(points.map((p) => p.n), [100, 500, 1000, 2500, 5000]);
    for (const p of points) {
      assert.equal(p.times.length, 5);
      assert.ok(p.time.min <= p.time.median && p.time.median <= Math.max(...p.times) && p.time.stddev >= 0);
      assert.equal(p.ops, 3 * p.n + 1, 'the operation count is deterministic: 3 lines per element + the return');
    }
    const pointTimes = arrivals.filter(([t]) => t === 'bench.point').map(([, at]) => at);
    const fitAt = arrivals.find(([t]) => t === 'bench.fit')![1];
    assert.ok(pointTimes.every((at) => at <= fitAt));
    const fit = frames.find((f): f is F<'bench.fit'> => f.type === 'bench.fit')!;
    assert.equal(fit.ops?.best.cls, 'O(n)');
    assert.equal(fit.verdict?.cls, 'O(n)');
    assert.equal(fit.verdict?.series, 'operations');
    assert.ok(fit.verdict!.reason.length > 10);
  });

  it('the operation count sees into the built-ins it knows the cost of: sorted as n log n, bisect as log n, dict.get as nothing beyond its line', async () => {
    const bitLength = (n: number) => Math.floor(Math.log2(n)) + 1;
    const pointsOf = (frames: ServerFrame[]) => frames.filter((f): f is F<'bench.point'> => f.type === 'bench.point');
    const fitOf = (frames: ServerFrame[]) => frames.find((f): f is F<'bench.fit'> => f.type === 'bench.fit')!;

    const sorting = await bench('def s(a):\n    return sorted(a)\n', { entry: 's', generator: { builtin: 'random_ints', seed: 3 } });
    assert.equal(sorting.ended.verdict, 'ok', JSON.stringify(sorting.ended));
    for (const p of pointsOf(sorting.frames)) {
      assert.deepEqual(p.charged, ['sorted']);
      assert.equal(p.ops, 1 + p.n * bitLength(p.n), 'one line, and sorted() charged n·bit_length(n)');
    }
    const sortFit = fitOf(sorting.frames);
    assert.equal(sortFit.ops?.best.cls, 'O(n log n)');
    assert.match(sortFit.verdict!.reason, /the operation count includes the work inside sorted\(\)/);

    const search = await bench('import bisect\ndef f(a, t):\n    return bisect.bisect_left(a, t)\n', { entry: 'f', generator: { builtin: 'sorted_target', seed: 3 } });
    assert.equal(search.ended.verdict, 'ok', JSON.stringify(search.ended));
    for (const p of pointsOf(search.frames)) assert.equal(p.ops, 1 + bitLength(p.n), 'one line, and bisect_left() charged bit_length(n)');
    assert.equal(fitOf(search.frames).ops?.best.cls, 'O(log n)', 'a binary search inside C is no longer a flat O(1) count');

    // dict.get is charged (nothing beyond its line): its time no longer counts as work the count cannot see, so the exact count stands.
    const counting = await bench('def c(a):\n    d = {}\n    for x in a:\n        d[x] = d.get(x, 0) + 1\n    return d\n', { entry: 'c', generator: { builtin: 'random_ints', seed: 3 } });
    assert.equal(counting.ended.verdict, 'ok', JSON.stringify(counting.ended));
    for (const p of pointsOf(counting.frames)) assert.deepEqual(p.charged, ['dict.get']);
    const countFit = fitOf(counting.frames);
    assert.deepEqual([countFit.verdict?.series, countFit.verdict?.cls], ['operations', 'O(n)'], countFit.verdict?.reason);
  });

  it('delivers each point as soon as its size is measured, not in one burst at the end', async () => {
    // two_sum measures in well under a millisecond per size, so its points may share one
    // arrival time. Here every call sleeps 40 ms: the three calls per size (two timed, one
    // counted) put at least 120 ms between consecutive points if they stream, and ~0 if not.
    const code = `import time
def slow(xs):
    time.sleep(0.04)
    return len(xs)
`;
    const { ended, arrivals } = await bench(code, { entry: 'slow', generator: { builtin: 'random_ints', seed: 2 }, sizes: [10, 20, 30], repeats: 2 });
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const at = arrivals.filter(([t]) => t === 'bench.point').map(([, time]) => time);
    assert.equal(at.length, 3);
    assert.ok(at[2] - at[0] >= 120, `points arrived ${at[1] - at[0]} and ${at[2] - at[1]} ms apart`);
  });

  it('gives every repeat a fresh copy of the input, so an in-place sort is measured fairly', async () => {
    // The function says what it was handed: a reused (already sorted) list instead of the
    // generator's reversed one would print "reused". Deterministic, unlike comparing timings.
    const code = `def sort_in_place(xs):
    print("fresh" if xs[0] > xs[-1] else "reused")
    for i in range(1, len(xs)):
        j = i
        while j > 0 and xs[j - 1] > xs[j]:
            xs[j - 1], xs[j] = xs[j], xs[j - 1]
            j -= 1
    return xs
`;
    const sizes = [50, 100, 200, 400];
    const repeats = 3;
    const { frames, ended } = await client.execute('python', code, { type: 'benchmark', entry: 'sort_in_place', generator: { builtin: 'reversed_ints', seed: 1 }, sizes, repeats }, 60_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const said = frames.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join('').split('\n').filter(Boolean);
    // Every timed repeat plus the counting pass, at every size.
    assert.deepEqual(said, Array(sizes.length * (repeats + 1)).fill('fresh'));
    const points = frames.filter((f): f is F<'bench.point'> => f.type === 'bench.point');
    assert.equal(points.length, sizes.length);
    const fit = frames.find((f): f is F<'bench.fit'> => f.type === 'bench.fit')!;
    assert.equal(fit.ops?.best.cls, 'O(n^2)');
  });

  it('stops the series early when the next size would pass the budget, and says so', async () => {
    const code = `def pairs(xs):
    count = 0
    for a in xs:
        for b in xs:
            if a < b:
                count += 1
    return count
`;
    const { frames, ended } = await client.execute('python', code, { type: 'benchmark', entry: 'pairs', generator: { builtin: 'random_ints', seed: 3 }, sizes: [100, 200, 400, 800, 1600, 3200, 6400], repeats: 3, budgetMs: 1500 }, 60_000);
    assert.equal(ended.verdict, 'ok', JSON.stringify(ended));
    const stop = frames.find((f): f is F<'bench.stopped'> => f.type === 'bench.stopped');
    assert.ok(stop, 'a bench.stopped frame');
    const points = frames.filter((f) => f.type === 'bench.point');
    assert.ok(points.length >= 2 && points.length < 7, `${points.length} points`);
    assert.ok(frames.findIndex((f) => f.type === 'bench.stopped') < frames.findIndex((f) => f.type === 'bench.fit'));
  });

  it('refuses an unknown generator and a missing entry with clear errors', async () => {
    client.send({ type: 'benchmark', id: 'bad-gen', language: 'python', code: TWO_SUM, entry: 'two_sum', generator: { builtin: 'nope' } });
    const err = await client.waitFor((f) => 'id' in f && f.id === 'bad-gen');
    assert.equal(err.type === 'error' && err.code, 'invalid_message');
    const { ended } = await client.execute('python', TWO_SUM, { type: 'benchmark', entry: 'missing', generator: { builtin: 'two_sum' } }, 60_000);
    assert.equal(ended.verdict, 'runtime_error');
    assert.equal(ended.error?.type, 'EntryNotFound');
  });
});
