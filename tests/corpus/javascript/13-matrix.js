// 2D arrays: build, multiply and transpose matrices
function makeMatrix(rows, cols, f) {
  const m = [];
  for (let r = 0; r < rows; r++) {
    const row = [];
    for (let c = 0; c < cols; c++) row.push(f(r, c));
    m.push(row);
  }
  return m;
}

function multiply(a, b) {
  const res = makeMatrix(a.length, b[0].length, () => 0);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b[0].length; j++)
      for (let k = 0; k < b.length; k++)
        res[i][j] += a[i][k] * b[k][j];
  return res;
}

const A = makeMatrix(2, 3, (r, c) => r + c);
const B = makeMatrix(3, 2, (r, c) => r * c + 1);
const C = multiply(A, B);
const T = C[0].map((_, j) => C.map(row => row[j]));
console.log(C, T);
