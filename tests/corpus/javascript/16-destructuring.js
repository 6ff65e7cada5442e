// Destructuring: arrays, objects, nested, defaults, rest, swaps
const point = { x: 3, y: 4, label: 'P' };
const { x, y, label: name = 'none', z = 0 } = point;
const [first, , third = 'c', ...others] = ['a', 'b', undefined, 'd', 'e'];
let p = 1, q = 2;
[p, q] = [q, p];
const pairs = [[1, 'one'], [2, 'two']];
for (const [num, word] of pairs) {
  console.log(num, word);
}
const { a: { b: deep } } = { a: { b: 42 } };
const arr = [5, 6, 7];
[arr[0], arr[2]] = [arr[2], arr[0]];
const obj = {};
({ x: obj.px, y: obj.py } = point);
console.log(x, y, name, z, first, third, others, p, q, deep, arr, obj);
