// Exceptions thrown and caught, across frames
class ValidationError extends Error {
  constructor(field) {
    super(`invalid ${field}`);
    this.name = 'ValidationError';
    this.field = field;
  }
}

function check(age) {
  if (typeof age !== 'number') throw new ValidationError('age');
  if (age < 0) throw new RangeError('age must be positive');
  return age;
}

const results = [];
for (const v of [30, -1, 'x']) {
  try {
    results.push(check(v));
  } catch (e) {
    results.push(e.name + ': ' + e.message);
  }
}

try {
  null.property;
} catch (err) {
  results.push(err instanceof TypeError);
}
console.log(results);
