// Spread in arrays, objects and calls
const a = [1, 2, 3];
const b = [0, ...a, 4];
const copy = [...b];
copy.reverse();
const base = { x: 1, y: 2 };
const moved = { ...base, y: 20, z: 30 };
const max = Math.max(...b);
function three(p, q, r) {
  return p * q + r;
}
const v = three(...a);
const chars = [...'hey'];
console.log(b, copy, moved, max, v, chars);
