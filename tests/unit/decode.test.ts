/** server/gateway/decode.ts: a WebSocket message, JSON or MessagePack, to a validated client message or its error. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../../protocol/codec.ts';
import { decodeMessage } from '../../server/gateway/decode.ts';

const text = (obj: unknown): ArrayBuffer => new TextEncoder().encode(typeof obj === 'string' ? obj : JSON.stringify(obj)).buffer as ArrayBuffer;
const binary = (obj: unknown): ArrayBuffer => { const b = encode(obj); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; };
const execute = { type: 'execute', id: 'r1', language: 'python', code: 'print(1)' };

describe('decoding client messages', () => {
  it('takes the same message as JSON text and as MessagePack', () => {
    for (const d of [decodeMessage(text(execute), false, 1 << 16), decodeMessage(binary(execute), true, 1 << 16)]) {
      assert.equal(d.ok, true, JSON.stringify(d));
      if (d.ok) assert.equal(d.message.type, 'execute');
    }
  });

  it('answers each fault with its code, and the message id when it has one', () => {
    const cases: Array<[ArrayBuffer, boolean, string, string | null]> = [
      [text(execute), false, 'too_large', null],
      [text('{not json'), false, 'bad_encoding', null],
      [text([1, 2]), false, 'invalid_message', null],
      [text({ type: 'nope', id: 'x' }), false, 'unknown_type', 'x'],
      [text({ ...execute, language: 'cobol' }), false, 'invalid_message', 'r1'],
    ];
    for (const [data, bin, code, id] of cases) {
      const d = decodeMessage(data, bin, code === 'too_large' ? 8 : 1 << 16);
      assert.equal(d.ok, false);
      if (!d.ok) {
        assert.equal(d.error.code, code, d.error.message);
        assert.equal(d.error.id, id);
      }
    }
  });
});
