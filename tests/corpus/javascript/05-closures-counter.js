// Closures: a counter factory and captured variables
function makeCounter(start) {
  let count = start;
  return {
    inc() { count++; return count; },
    reset() { count = start; },
  };
}

const c1 = makeCounter(10);
const c2 = makeCounter(0);
c1.inc();
c1.inc();
c2.inc();
c1.reset();
console.log(c1.inc(), c2.inc());

let total = 0;
const add = (x) => { total += x; return total; };
add(5);
add(7);
console.log(total);
