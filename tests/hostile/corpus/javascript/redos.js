// Catastrophic regex backtracking: exponential time inside the regex engine, no steps.
console.log(/^(a+)+$/.test('a'.repeat(64) + 'b'));
