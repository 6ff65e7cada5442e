/** compareResult: every mode, the tagged encodings, incomparable types and their reasons, floats, nesting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonical, checkEncoded, compareResult, type CompareMode, type CompareSpec } from '../../server/problems/compare.ts';

function pass(expected: unknown, actual: unknown, mode?: CompareMode | CompareSpec) {
  const r = compareResult(expected, actual, mode);
  assert.equal(r.passed, true, `expected a pass, got: ${r.reason}`);
  assert.equal(r.reason, undefined);
}
function fail(expected: unknown, actual: unknown, mode?: CompareMode | CompareSpec, reason?: string | RegExp) {
  const r = compareResult(expected, actual, mode);
  assert.equal(r.passed, false, `expected a failure: ${JSON.stringify(expected)} vs ${JSON.stringify(actual)}`);
  assert.equal(typeof r.reason, 'string');
  assert.ok(r.reason!.length > 0);
  if (typeof reason === 'string') assert.equal(r.reason, reason);
  else if (reason) assert.match(r.reason!, reason);
  return r.reason!;
}

describe('compareResult: exact', () => {
  it('scalars', () => {
    pass(1, 1);
    pass(1, 1.0);
    pass(0, -0);
    pass('abc', 'abc');
    pass(true, true);
    pass(null, null);
    fail(1, 2, 'exact', 'returned 2, expected 1');
    fail('abc', 'abd', 'exact', 'returned "abd", expected "abc"');
    fail(true, false, 'exact', 'returned false, expected true');
    fail(0.1 + 0.2, 0.3, 'exact', /returned 0.3, expected 0.30000000000000004/);
  });

  it('is the default mode', () => {
    pass([1, 2], [1, 2]);
    fail([1, 2], [2, 1]);
  });

  it('lists keep their order, at any depth', () => {
    pass([[1, 2], [3]], [[1, 2], [3]]);
    fail([1, 2, 3], [3, 2, 1], 'exact', /^at \[0\]: returned 3, expected 1/);
    fail([[1, 2]], [[2, 1]], 'exact', /^at \[0\]\[0\]: returned 2, expected 1/);
    fail([1, 2], [1, 2, 3], 'exact', 'returned a list of 3 items, expected 2: [1,2]');
    fail([], [0], 'exact', /a list of 1 item, expected 0/);
  });

  it('objects compare by keys, not key order', () => {
    pass({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 });
    fail({ a: 1, b: 2 }, { a: 1 }, 'exact', /missing key "b"/);
    fail({ a: 1 }, { a: 1, c: 3 }, 'exact', /unexpected key "c"/);
    fail({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } }, 'exact', /^at \["a"\]\["b"\]\[1\]\["c"\]: returned 3, expected 2/);
  });

  it('sets ignore order and compare items', () => {
    pass({ $set: [1, 2, 3] }, { $set: [3, 1, 2] });
    pass({ $set: [] }, { $set: [] });
    pass({ $set: [[1, 2], 'x'] }, { $set: ['x', [1, 2]] });
    fail({ $set: [1, 2, 3] }, { $set: [1, 2] }, 'exact', /returned a set of 2 items, expected 3; missing 3/);
    fail({ $set: [1, 2] }, { $set: [1, 5] }, 'exact', /missing 2; unexpected 5/);
  });

  it('maps: entries in any order, non-string keys, and equal to an object with the same string keys', () => {
    pass({ $map: [[1, 'a'], [2, 'b']] }, { $map: [[2, 'b'], [1, 'a']] });
    pass({ $map: [[[1, 2], 3]] }, { $map: [[[1, 2], 3]] });
    fail({ $map: [[1, 'a']] }, { $map: [['1', 'a']] }, 'exact', /missing key 1/);
    fail({ $map: [[1, 'a']] }, { $map: [[1, 'b']] }, 'exact', /^at \[1\]: returned "b", expected "a"/);
    // a JS Map / a Python dict sent as $map matches a string-keyed object
    pass({ a: 1, b: 2 }, { $map: [['b', 2], ['a', 1]] });
    pass({ $map: [['$weird', 1]] }, { $map: [['$weird', 1]] });
  });

  it('special numbers', () => {
    pass({ $float: 'nan' }, { $float: 'nan' });
    pass({ $float: 'inf' }, { $float: 'inf' });
    fail({ $float: 'inf' }, { $float: '-inf' }, 'exact', 'returned -Infinity, expected Infinity');
    fail(1, { $float: 'nan' }, 'exact', 'returned NaN, expected 1');
    fail({ $float: 'nan' }, 0, 'exact', 'returned 0, expected NaN');
    // big integers, exactly
    pass({ $bigint: '354224848179261915075' }, { $bigint: '354224848179261915075' });
    fail({ $bigint: '354224848179261915075' }, { $bigint: '354224848179261915076' }, 'exact', /returned 354224848179261915076/);
    pass(42, { $bigint: '42' });
    fail({ $bigint: '9007199254740993' }, 9007199254740992, 'exact');
    pass({ $undefined: true }, { $undefined: true });
  });
});

describe('compareResult: incomparable types give a clear reason', () => {
  it('set vs list, list vs set', () => {
    fail([1, 2], { $set: [1, 2] }, 'exact', 'returned a set, expected a list');
    fail({ $set: [1, 2] }, [1, 2], 'exact', 'returned a list, expected a set');
    // also under unordered: a set is not a list
    fail([1, 2], { $set: [1, 2] }, 'unordered', 'returned a set, expected a list');
  });

  it('scalars of different types', () => {
    fail(1, '1', 'exact', 'returned a string, expected a number');
    fail(1, true, 'exact', 'returned a boolean, expected a number');
    fail(0, false, 'exact', 'returned a boolean, expected a number');
    fail(true, 1, 'exact', 'returned a number, expected a boolean');
    fail([], null, 'exact', 'returned None/null, expected a list');
    fail(null, { $undefined: true }, 'exact', 'returned undefined, expected None/null');
    fail('x', ['x'], 'exact', 'returned a list, expected a string');
  });

  it('containers of different kinds', () => {
    fail({ a: 1 }, [['a', 1]], 'exact', 'returned a list, expected a dict/object');
    fail([1], { 0: 1 }, 'exact', 'returned a dict/object, expected a list');
    fail([1], { $map: [[0, 1]] }, 'exact', 'returned a map, expected a list');
  });

  it('repr, toolarge and nested mismatches', () => {
    fail([1, 2], { $repr: '<generator object f at 0x7f>', $type: 'generator' }, 'exact',
      'returned a value of type generator (<generator object f at 0x7f>), expected a list');
    fail([1, 2], { $toolarge: 2000000 }, 'exact', 'returned a result too large to send (2000000 bytes of JSON), expected a list');
    fail([[1, 2], [3]], [[1, 2], { $set: [3] }], 'exact', /^at \[1\]: returned a set, expected a list \(\[3\]\)/);
    fail({ k: [1] }, { k: 'x' }, 'exact', /^at \["k"\]: returned a string, expected a list/);
  });

  it('reasons are short for huge values', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const r = fail(big, [...big.slice(0, -1), -1], 'exact');
    assert.ok(r.length < 400, r);
    assert.match(r, /^at \[99999\]: returned -1, expected 99999/);
  });
});

describe('compareResult: unordered', () => {
  it('ignores the order of the top-level list only', () => {
    pass([0, 1], [1, 0], 'unordered');
    pass([[1, 2], [3, 4]], [[3, 4], [1, 2]], 'unordered');
    fail([[1, 2]], [[2, 1]], 'unordered', /missing \[1,2\]; unexpected \[2,1\]/);
  });

  it('counts duplicates (multiset)', () => {
    pass([1, 1, 2], [1, 2, 1], 'unordered');
    fail([1, 1, 2], [1, 2, 2], 'unordered', /missing 1; unexpected 2/);
    fail([1, 2], [1, 2, 3], 'unordered', /returned a list of 3 items, expected 2 \(in any order\)/);
    pass([], [], 'unordered');
    fail([], [0, 1], 'unordered');
  });

  it('compares non-lists exactly', () => {
    pass(3, 3, 'unordered');
    fail(3, 4, 'unordered', 'returned 4, expected 3');
    pass({ $set: [1, 2] }, { $set: [2, 1] }, 'unordered');
  });

  it('matches objects in the list whatever their key order', () => {
    pass([{ a: 1, b: 2 }, { c: 3 }], [{ c: 3 }, { b: 2, a: 1 }], 'unordered');
  });
});

describe('compareResult: float', () => {
  it('uses the tolerance (absolute near 0, relative for large values)', () => {
    pass(0.3, 0.1 + 0.2, 'float');
    pass(1, 1 + 1e-7, 'float');
    fail(1, 1 + 1e-5, 'float', /returned 1.00001, expected 1 \(tolerance 0.000001\)/);
    pass(1, 1.001, { mode: 'float', tolerance: 1e-2 });
    fail(1, 1.1, { mode: 'float', tolerance: 1e-2 }, /tolerance 0.01/);
    pass(1e12, 1e12 + 100, { mode: 'float', tolerance: 1e-9 });
    fail(1e12, 1e12 + 10000, { mode: 'float', tolerance: 1e-9 });
    pass(0, 1e-10, { mode: 'float', tolerance: 1e-9 });
    pass(0, 0, { mode: 'float', tolerance: 0 });
  });

  it('applies recursively to numbers in lists, objects, sets of floats are exact', () => {
    pass([0.1, [0.2, { x: 0.3 }]], [0.1 + 1e-9, [0.2 - 1e-9, { x: 0.3 + 1e-9 }]], 'float');
    fail([0.1, [0.2, { x: 0.3 }]], [0.1, [0.2, { x: 0.4 }]], 'float', /^at \[1\]\[1\]\["x"\]: returned 0.4, expected 0.3/);
    pass({ $map: [['a', 1.5]] }, { $map: [['a', 1.5 + 1e-9]] }, 'float');
  });

  it('special values and non-numbers', () => {
    pass({ $float: 'nan' }, { $float: 'nan' }, 'float');
    pass({ $float: 'inf' }, { $float: 'inf' }, 'float');
    fail({ $float: 'inf' }, 1e308, 'float');
    fail(1, { $float: 'nan' }, 'float');
    fail(1.5, '1.5', 'float', 'returned a string, expected a number');
    fail(['a', 1.0], ['b', 1.0], 'float', /returned "b", expected "a"/);
  });
});

describe('canonical and checkEncoded', () => {
  it('canonical forms are order-independent for sets and mappings', () => {
    assert.equal(canonical({ $set: [1, 2] }), canonical({ $set: [2, 1] }));
    assert.equal(canonical({ a: 1, b: 2 }), canonical({ $map: [['b', 2], ['a', 1]] }));
    assert.notEqual(canonical([1, 2]), canonical({ $set: [1, 2] }));
    assert.notEqual(canonical(1), canonical('1'));
    assert.equal(canonical(5), canonical({ $bigint: '5' }));
  });

  it('checkEncoded accepts the encodings and rejects malformed tags', () => {
    for (const ok of [1, 'x', null, [1, [2]], { a: 1 }, { $set: [1] }, { $map: [[1, 2]] }, { $float: 'nan' }, { $bigint: '-12' },
      { $undefined: true }, { $repr: 'x', $type: 'T' }, { $dollar: 1, other: 2 }]) {
      assert.equal(checkEncoded(ok), null, JSON.stringify(ok));
    }
    for (const bad of [{ $set: 1 }, { $map: [[1]] }, { $float: 'NaN' }, { $bigint: '1.5' }, [{ $set: 'x' }], { a: { $map: 3 } }, NaN, Infinity]) {
      assert.notEqual(checkEncoded(bad), null, JSON.stringify(bad));
    }
  });

  it('rejects unknown modes', () => {
    assert.throws(() => compareResult(1, 1, 'fuzzy' as CompareMode), /unknown compare mode/);
  });
});
