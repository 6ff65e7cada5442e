// Deep recursion caught by the program, which then carries on
function depth(n) {
  return depth(n + 1);
}

let message = '';
try {
  depth(0);
} catch (e) {
  message = e.name + ': ' + e.message;
}
console.log(message);
const after = [1, 2, 3].map((x) => x * 2);
console.log(after);
