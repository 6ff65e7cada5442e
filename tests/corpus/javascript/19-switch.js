// switch with fall-through, default and block-scoped cases
function describe(day) {
  let kind;
  switch (day) {
    case 'sat':
    case 'sun':
      kind = 'weekend';
      break;
    case 'wed': {
      const note = 'midweek';
      kind = note;
      break;
    }
    default:
      kind = 'weekday';
  }
  return kind;
}

const days = ['mon', 'wed', 'sat', 'sun'];
const kinds = days.map(describe);
console.log(kinds);
