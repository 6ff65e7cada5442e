// Towers of Hanoi with three arrays as pegs
const pegs = { A: [3, 2, 1], B: [], C: [] };
let moves = 0;

function move(n, from, to, via) {
  if (n === 0) return;
  move(n - 1, from, via, to);
  pegs[to].push(pegs[from].pop());
  moves++;
  move(n - 1, via, to, from);
}

move(3, 'A', 'C', 'B');
console.log(pegs, moves);
