// Every microtask schedules two more: the microtask queue never drains.
function spawn() {
  Promise.resolve().then(spawn);
  Promise.resolve().then(spawn);
}
spawn();
