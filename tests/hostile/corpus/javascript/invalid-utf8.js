// Lone surrogates cannot be encoded as UTF-8: in output and in variable values they must arrive
// replaced, never as invalid bytes on the wire.
const lone = '\ud800';
const names = { ['key\udfff']: 'value\ud83d' };
console.log('lone:\ud800:\udfff:end');
console.error('reversed pair:\udc00\ud800:end');
console.log(String.fromCharCode(0xd83d) + 'broken emoji');
console.log('done', lone.length, Object.keys(names).length);
