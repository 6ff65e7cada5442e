// A timer that keeps the event loop alive forever.
setInterval(() => {}, 1000000);
