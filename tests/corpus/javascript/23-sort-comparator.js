// Array.prototype.sort with comparators on numbers and objects
const nums = [10, 1, 5, 100, 25];
nums.sort((p, q) => p - q);

const people = [
  { name: 'Zoe', age: 31 },
  { name: 'Adam', age: 25 },
  { name: 'Mia', age: 31 },
];
people.sort((p, q) => {
  if (p.age !== q.age) return q.age - p.age;
  return p.name < q.name ? -1 : 1;
});
const names = people.map((p) => p.name);
console.log(nums, names);
