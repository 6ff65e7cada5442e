// Special values: undefined, NaN, Infinity, BigInt, long strings, symbols
let u;
const nan = 0 / 0;
const inf = 1 / 0;
const ninf = -inf;
const big = 2n ** 80n;
const long = 'x'.repeat(2000);
const sym = Symbol('id');
const mixed = [u, nan, inf, ninf, big, null, true, sym];
const holes = [1, , 3];
const nested = { deep: { deeper: { deepest: [u] } } };
console.log(typeof big, long.length, mixed.length, holes.length, nested.deep.deeper.deepest.length);
