// Timers until memory runs out: each callback schedules two more.
function tick() {
  setTimeout(tick, 0);
  setTimeout(tick, 0);
}
tick();
