// Reading input lines with input(); stdin lines come from the job
const name = input('Name: ');
const n = Number(input('How many? '));
let stars = '';
for (let i = 0; i < n && i < 50; i++) stars += '*';
console.log(`Hi ${name}! ${stars}`);
try {
  input();
  input();
} catch (e) {
  console.log('no more input:', e.name);
}
