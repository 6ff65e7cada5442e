/** The MessagePack codec and the position splice the gateway applies to every frame. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, withPosition } from '../../protocol/codec.ts';

describe('withPosition', () => {
  it('adds pos to small, map16 and map32-sized maps without touching the rest', () => {
    const small = { type: 'output', run: 'r', text: 'hi' };
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    for (const frame of [small, big, {}]) {
      const out = decode(withPosition(encode(frame), '1700000000000-12')) as Record<string, unknown>;
      assert.deepEqual(out, { pos: '1700000000000-12', ...frame });
      assert.equal(Object.keys(out)[0], 'pos');
    }
  });

  it('grows a 15-key fixmap into a map16', () => {
    const frame = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i]));
    const bytes = withPosition(encode(frame), '1-0');
    assert.equal(bytes[0], 0xde);
    assert.deepEqual(decode(bytes), { pos: '1-0', ...frame });
  });

  it('refuses bytes that are not a map', () => {
    assert.throws(() => withPosition(encode([1, 2]), '1-0'), /not a MessagePack map/);
  });

  it('encodes plain maps any MessagePack library reads (no record extension)', () => {
    const bytes = encode({ a: [1, 2], b: 'x' });
    assert.ok((bytes[0] & 0xf0) === 0x80 || bytes[0] === 0xde || bytes[0] === 0xdf, `map header, got 0x${bytes[0].toString(16)}`);
    assert.ok(!bytes.includes(0xd4) && !bytes.includes(0xc7), 'no extension types');
  });
});
