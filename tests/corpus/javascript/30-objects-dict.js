// Plain objects as dictionaries: counting, deleting, iterating keys
const inventory = { apples: 3, pears: 0 };
inventory.bananas = 12;
inventory['apples'] += 2;
delete inventory.pears;
const letters = {};
for (const ch of 'mississippi') {
  letters[ch] = (letters[ch] || 0) + 1;
}
const keys = Object.keys(letters);
let report = '';
for (const k in letters) {
  report += k + letters[k];
}
Object.assign(inventory, { cherries: 7 });
console.log(inventory, keys, report);
