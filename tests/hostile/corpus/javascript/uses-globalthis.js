// Not hostile: an ordinary program that names `globalThis`. It must run like any other.
const g = globalThis;
g.answer = 42;
console.log(typeof g, g.answer);
