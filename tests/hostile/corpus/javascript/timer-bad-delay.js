// A timer call that throws inside the provided setTimeout (the delay cannot be converted to a number),
// caught by the program, which then ends normally.
try {
  setTimeout(() => console.log('never'), Symbol('delay'));
} catch (e) {
  console.log('caught', e.name);
}
console.log('end of program');
