// Default and rest parameters
function greet(name = 'world', punctuation = '!') {
  return `Hello, ${name}${punctuation}`;
}

function sum(first, ...rest) {
  let s = first;
  for (const r of rest) s += r;
  return s;
}

function config({ size = 10, color = 'red' } = {}) {
  return size + ' ' + color;
}

console.log(greet(), greet('Ada'), greet('Bob', '?'));
console.log(sum(1, 2, 3, 4), config(), config({ color: 'blue' }));
