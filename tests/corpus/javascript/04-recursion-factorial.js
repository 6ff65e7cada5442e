// Plain recursion: factorial and sum of digits
function factorial(n) {
  if (n <= 1) {
    return 1;
  }
  return n * factorial(n - 1);
}

function digitSum(n) {
  return n < 10 ? n : (n % 10) + digitSum(Math.floor(n / 10));
}

const f6 = factorial(6);
console.log(f6, digitSum(98765));
