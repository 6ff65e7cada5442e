/** MessagePack encoding of frames, the decoding clients apply to server frames, and the byte splice that stamps a log position onto an encoded frame. */
import { Packr } from 'msgpackr';
import type { ServerFrame } from './messages.ts';
import { expandSteps } from './steps-wire.ts';

// Plain maps only (no msgpackr record extension) so any MessagePack library can decode. Each map's header is sized
// to its keys (a fixmap below 16) rather than always map16: two bytes less on every step that carries a delta.
const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true, int64AsType: 'number', variableMapSize: true });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/**
 * A frame from the server as clients handle it: a `steps` frame's compact steps expanded to full `Step`s, from that
 * frame alone. Frames stored before the compact form (no `first`) already carry full steps.
 */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  const frame = packr.unpack(bytes) as ServerFrame;
  if (frame.type === 'steps') {
    if (frame.first === undefined) frame.first = frame.steps.length > 0 ? frame.steps[0].i : 0;
    else frame.steps = expandSteps(frame);
  }
  return frame;
}

/**
 * Returns `frame` (an encoded MessagePack map) with one more key, `pos`, placed first.
 * The gateway stamps each log entry this way so a frame is encoded once, by the runner,
 * and only its map header is rewritten here: the body bytes are copied, never re-encoded.
 */
export function withPosition(frame: Uint8Array, pos: string): Uint8Array {
  const b0 = frame[0];
  let count: number;
  let headerLength: number;
  if (b0 >= 0x80 && b0 <= 0x8f) {
    count = b0 & 0x0f;
    headerLength = 1;
  } else if (b0 === 0xde) {
    count = (frame[1] << 8) | frame[2];
    headerLength = 3;
  } else if (b0 === 0xdf) {
    count = ((frame[1] << 24) >>> 0) + ((frame[2] << 16) | (frame[3] << 8) | frame[4]);
    headerLength = 5;
  } else {
    throw new Error(`withPosition: frame is not a MessagePack map (first byte 0x${b0.toString(16)})`);
  }
  const n = count + 1;
  const header = n <= 15 ? [0x80 | n] : n <= 0xffff ? [0xde, n >> 8, n & 0xff] : [0xdf, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  // Positions are ASCII and short (ms-seq): fixstr for both key and value.
  if (pos.length > 31) throw new Error(`withPosition: position too long: ${pos}`);
  const out = new Uint8Array(header.length + 4 + 1 + pos.length + frame.length - headerLength);
  let o = 0;
  for (const h of header) out[o++] = h;
  out[o++] = 0xa3;
  out[o++] = 0x70; // p
  out[o++] = 0x6f; // o
  out[o++] = 0x73; // s
  out[o++] = 0xa0 | pos.length;
  for (let i = 0; i < pos.length; i++) out[o++] = pos.charCodeAt(i);
  out.set(frame.subarray(headerLength), o);
  return out;
}
