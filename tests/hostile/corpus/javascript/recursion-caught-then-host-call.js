// Exhausts the stack, catches the RangeError close to the limit (every 250 levels has a handler) and
// calls host functions there, then carries on.
let depth = 0;
let reported = false;
function down(n) {
  depth = n;
  if (n % 250 !== 0) return down(n + 1);
  try {
    return down(n + 1);
  } catch (e) {
    if (!reported) {
      reported = true;
      console.log('near the limit', n > 100, e instanceof RangeError);
    }
    throw e;
  }
}
try {
  down(1);
} catch (e) {
  console.log('caught', e.name);
}
console.log('still running');
