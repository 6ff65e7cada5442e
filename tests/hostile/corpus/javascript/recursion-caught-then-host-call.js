// Exhausts the stack, catches the RangeError at the deepest level and calls host functions there.
let depth = 0;
let reported = false;
function down() {
  depth++;
  try {
    down();
  } catch (e) {
    if (!reported) {
      reported = true;
      console.log('at the limit', depth > 100, e instanceof RangeError);
    }
    throw e;
  }
}
try {
  down();
} catch (e) {
  console.log('caught', e.name);
}
console.log('still running');
