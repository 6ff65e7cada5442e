// A queue simulation with shift/unshift/splice
const queue = ['ann', 'bob', 'cat'];
queue.push('dan');
const served = queue.shift();
queue.unshift('vip');
queue.splice(2, 1, 'eve', 'fay');
const idx = queue.indexOf('dan');
queue.length = 3;
queue.fill('x', 1);
console.log(served, queue, idx);
