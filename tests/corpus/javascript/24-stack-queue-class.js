// A Stack class backed by an array, used to check balanced brackets
class Stack {
  constructor() {
    this.items = [];
  }
  push(x) {
    this.items.push(x);
  }
  pop() {
    return this.items.pop();
  }
  get size() {
    return this.items.length;
  }
}

function balanced(s) {
  const pairs = { ')': '(', ']': '[', '}': '{' };
  const st = new Stack();
  for (const ch of s) {
    if ('([{'.includes(ch)) st.push(ch);
    else if (ch in pairs) {
      if (st.pop() !== pairs[ch]) return false;
    }
  }
  return st.size === 0;
}

console.log(balanced('{[()()]}'), balanced('([)]'));
