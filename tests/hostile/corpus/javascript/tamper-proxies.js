// Proxies whose every trap misbehaves, held in variables the tracer must show without running them.
const handler = {
  ownKeys() { while (true) {} },
  get() { throw new Error('get trap'); },
  getOwnPropertyDescriptor() { throw new Error('gopd trap'); },
  getPrototypeOf() { throw new Error('getPrototypeOf trap'); },
  has() { throw new Error('has trap'); },
};
const p = new Proxy({}, handler);
const q = new Proxy([1, 2, 3], handler);
const holder = { p, q };
console.log('held them');
