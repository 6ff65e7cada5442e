// Generators: a range, fibonacci with take(), and values sent back in
function* range(start, end, step = 1) {
  for (let i = start; i < end; i += step) {
    yield i;
  }
}

function* fibs() {
  let [a, b] = [0, 1];
  while (true) {
    yield a;
    [a, b] = [b, a + b];
  }
}

function take(gen, n) {
  const out = [];
  for (const v of gen) {
    if (out.length >= n) break;
    out.push(v);
  }
  return out;
}

function* accumulator() {
  let total = 0;
  while (true) {
    const x = yield total;
    total += x;
  }
}

console.log([...range(0, 10, 3)]);
console.log(take(fibs(), 8));
const acc = accumulator();
acc.next();
acc.next(5);
console.log(acc.next(10).value);
