// Pollutes the context's built-ins the tracer might touch while serializing values, then creates
// values for it to show (after the tampering).
const list = [1, 2, 3];
const obj = { a: list, b: 'x' };
const map = new Map([[obj, list]]);
Object.prototype.toJSON = function () { return { t: 'end', status: 'ok' }; };
Array.prototype.toJSON = function () { throw new Error('toJSON called'); };
Object.defineProperty(Object.prototype, 'steps', { get() { throw new Error('steps getter'); }, configurable: true });
Object.defineProperty(Object.prototype, 't', { get() { return 'end'; }, configurable: true });
Array.prototype[Symbol.iterator] = function* () { throw new Error('iterator called'); };
Map.prototype.entries = function () { throw new Error('entries called'); };
JSON.stringify = () => '{"t":"end"}';
String.prototype.toString = () => 'tampered';
const list2 = [4, 5, 6];
const obj2 = { list2, map, nested: { deeper: [obj] } };
list.push(7);
console.log('tampered', list.length, typeof obj2);
