// Labeled break and continue in nested loops
const grid = [
  [1, 2, 3],
  [4, -5, 6],
  [7, 8, 9],
];

let found = null;
search: for (let r = 0; r < grid.length; r++) {
  for (let c = 0; c < grid[r].length; c++) {
    if (grid[r][c] < 0) {
      found = [r, c];
      break search;
    }
  }
}

let evensInRows = 0;
rows: for (const row of grid) {
  for (const v of row) {
    if (v < 0) continue rows;
    if (v % 2 === 0) evensInRows++;
  }
}
console.log(found, evensInRows);
