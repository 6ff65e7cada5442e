// Two names, one array: mutation through an alias
const a = [1, 2, 3];
const b = a;
b.push(4);
b[0] = 100;
const c = a.slice();
c[1] = -1;
const nested = [a, a, c];
nested[0].pop();
console.log(a, b, c, nested.length, a === b, a === c);
