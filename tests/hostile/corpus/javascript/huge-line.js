// One 50 MB line.
console.log('L'.repeat(50 * 1024 * 1024));
