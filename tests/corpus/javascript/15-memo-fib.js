// Memoized fibonacci with a plain object cache and with a Map
const memo = {};
function fib(n) {
  if (n in memo) return memo[n];
  const value = n < 2 ? n : fib(n - 1) + fib(n - 2);
  memo[n] = value;
  return value;
}

function memoize(f) {
  const cache = new Map();
  return function (x) {
    if (!cache.has(x)) cache.set(x, f(x));
    return cache.get(x);
  };
}

const slowSquare = (x) => x * x;
const fastSquare = memoize(slowSquare);
fastSquare(9);
fastSquare(9);
console.log(fib(20), fastSquare(9));
