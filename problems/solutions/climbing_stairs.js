function climbStairs(n) {
  let a = 1, b = 1; // ways to reach steps 0 and 1
  for (let i = 1; i < n; i++) [a, b] = [b, a + b];
  return b;
}
