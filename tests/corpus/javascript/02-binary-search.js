// Iterative binary search over a sorted array
const sorted = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];

function binarySearch(arr, target) {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (arr[mid] === target) return mid;
    if (arr[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

console.log(binarySearch(sorted, 13));
console.log(binarySearch(sorted, 4));
