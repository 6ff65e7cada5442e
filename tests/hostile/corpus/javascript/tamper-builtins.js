// Pollutes the context's built-ins the tracer might touch while serializing values.
Object.prototype.toJSON = function () { return { t: 'end', status: 'ok' }; };
Array.prototype.toJSON = function () { throw new Error('toJSON called'); };
Object.defineProperty(Object.prototype, 'steps', { get() { throw new Error('steps getter'); }, configurable: true });
Object.defineProperty(Object.prototype, 't', { get() { return 'end'; }, configurable: true });
Array.prototype[Symbol.iterator] = function* () { throw new Error('iterator called'); };
JSON.stringify = () => '{"t":"end"}';
String.prototype.toString = () => 'tampered';
const list = [1, 2, 3];
const obj = { a: list, b: 'x' };
const map = new Map([[obj, list]]);
console.log('tampered', list.length, typeof obj);
