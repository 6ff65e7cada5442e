// Singly linked list, then a cycle, detected with Floyd's algorithm
class Node {
  constructor(value) {
    this.value = value;
    this.next = null;
  }
}

let head = new Node(1);
let cur = head;
for (let v = 2; v <= 5; v++) {
  cur.next = new Node(v);
  cur = cur.next;
}
cur.next = head.next; // cycle: 5 -> 2

function hasCycle(start) {
  let slow = start;
  let fast = start;
  while (fast && fast.next) {
    slow = slow.next;
    fast = fast.next.next;
    if (slow === fast) return true;
  }
  return false;
}

console.log(hasCycle(head));
