// Lone surrogates cannot be encoded as UTF-8: they must arrive replaced, never as invalid bytes.
console.log('lone:\ud800:\udfff:end');
console.error('reversed pair:\udc00\ud800:end');
console.log(String.fromCharCode(0xd83d) + 'broken emoji');
console.log('done');
