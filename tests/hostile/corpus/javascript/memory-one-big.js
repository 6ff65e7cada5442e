// One 400 MB buffer, touched, under a 128 MB limit.
const big = new Uint8Array(400 * 1024 * 1024);
big.fill(7);
console.log(big.length);
