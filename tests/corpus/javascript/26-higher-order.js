// map / filter / reduce and function composition
const scores = [72, 95, 58, 88, 61, 99];
const passed = scores.filter((s) => s >= 60);
const curved = passed.map((s) => Math.min(100, s + 5));
const total = curved.reduce((acc, s) => acc + s, 0);
const average = total / curved.length;

const compose = (...fns) => (x) => fns.reduceRight((v, f) => f(v), x);
const double = (x) => x * 2;
const inc = (x) => x + 1;
const incThenDouble = compose(double, inc);
console.log(curved, average.toFixed(2), incThenDouble(5));
