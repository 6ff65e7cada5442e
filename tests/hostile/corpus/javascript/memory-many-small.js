// Many small allocations: strings and objects built by native code, no steps between them.
const xs = new Array(20000000).fill(0).map(String);
console.log(xs.length);
