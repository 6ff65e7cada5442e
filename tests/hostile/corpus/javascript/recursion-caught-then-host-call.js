// Exhausts the stack, catches the RangeError near the limit and calls host functions there.
let depth = 0;
function down() {
  depth++;
  try {
    down();
  } catch (e) {
    console.log('at the limit', depth, e instanceof RangeError);
    throw e;
  }
}
try {
  down();
} catch (e) {
  console.log('caught', e.name);
}
console.log('still running');
