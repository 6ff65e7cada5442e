/** Reassembling the tracer's length-prefixed frames from arbitrary chunking, and refusing oversized ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, FrameTooLarge } from '../../server/runner/frame-reader.ts';

const framed = (...payloads: string[]) =>
  Buffer.concat(payloads.map((p) => {
    const body = Buffer.from(p);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    return Buffer.concat([head, body]);
  }));

describe('FrameReader', () => {
  it('yields the same frames whatever the chunk boundaries', () => {
    const stream = framed('{"t":"hello"}', '', 'x'.repeat(1000), '{"t":"end"}');
    for (const size of [1, 3, 4, 5, 7, 64, stream.length]) {
      const got: string[] = [];
      const r = new FrameReader(1 << 20, (p) => got.push(p.toString()));
      for (let i = 0; i < stream.length; i += size) r.push(stream.subarray(i, i + size));
      assert.deepEqual(got, ['{"t":"hello"}', '', 'x'.repeat(1000), '{"t":"end"}'], `chunk size ${size}`);
      assert.equal(r.pendingBytes, 0);
    }
  });

  it('throws FrameTooLarge on a length over the cap', () => {
    const r = new FrameReader(100, () => {});
    assert.throws(() => r.push(framed('y'.repeat(101))), FrameTooLarge);
  });
});
