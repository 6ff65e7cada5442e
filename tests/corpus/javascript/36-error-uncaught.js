// An uncaught TypeError deep inside calls ends the run with status "error"
function getName(user) {
  return user.profile.name;
}

function greetAll(users) {
  const out = [];
  for (const u of users) out.push('hi ' + getName(u));
  return out;
}

greetAll([{ profile: { name: 'Ann' } }, {}]);
console.log('never printed');
