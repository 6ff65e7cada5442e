// Bubble sort with a temporary variable for the swap
const numbers = [29, 10, 14, 37, 13, 5, 88, 2];

function bubbleSort(a) {
  const n = a.length;
  for (let i = 0; i < n - 1; i++) {
    let swapped = false;
    for (let j = 0; j < n - 1 - i; j++) {
      if (a[j] > a[j + 1]) {
        const tmp = a[j];
        a[j] = a[j + 1];
        a[j + 1] = tmp;
        swapped = true;
      }
    }
    if (!swapped) break;
  }
  return a;
}

bubbleSort(numbers);
console.log(numbers.join(' '));
