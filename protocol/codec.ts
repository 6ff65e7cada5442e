/** MessagePack encoding of frames, the decoding clients apply to server frames, and the byte splice that stamps a log position onto an encoded frame. */
import { Packr } from 'msgpackr';
import type { ServerFrame } from './messages.ts';
import { expandSteps } from './steps-wire.ts';

// Plain maps only (no msgpackr record extension) so any MessagePack library can decode. Each map's header is sized
// to its keys (a fixmap below 16) rather than always map16: two bytes less on every step that carries a delta.
const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true, int64AsType: 'number', variableMapSize: true });

/**
 * Encodes `value` as MessagePack. Every whole number in the safe range (|n| ≤ 2^53 − 1) is a MessagePack integer:
 * msgpackr writes those beyond 32 bits as float64, which they are rewritten from in place (both forms take 9 bytes),
 * so a client's decoder sees an integer wherever the protocol says so (and slot deltas apply to integers).
 */
export function encode(value: unknown): Uint8Array {
  const bytes = packr.pack(value);
  // Most frames hold no float64 at all; the walk only runs when the byte appears somewhere.
  if (bytes.indexOf(0xcb) >= 0) walk(bytes, false, (at) => integerFromDouble(bytes, at));
  return bytes;
}

/**
 * Decodes one client message's MessagePack value. Only the standard types are accepted: the never-used byte 0xC1,
 * an extension type, a truncated value or bytes after the value throw, rather than reaching msgpackr (which reads
 * 0xC1 as an object and extensions as Dates or records).
 */
export function decode(bytes: Uint8Array): unknown {
  walk(bytes, true);
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

function integerFromDouble(bytes: Uint8Array, at: number): void {
  // msgpackr already writes whole numbers under 2^31 in magnitude as integers, and from 2^53 on they are not safe:
  // only a double whose binary exponent lies in between (read from its first two bytes) can need rewriting.
  const exponent = (((bytes[at + 1] & 0x7f) << 4) | (bytes[at + 2] >> 4)) - 1023;
  if (exponent < 31 || exponent > 52) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8);
  const n = view.getFloat64(0);
  if (!Number.isSafeInteger(n)) return;
  if (n >= 0) {
    bytes[at] = 0xcf;
    view.setBigUint64(0, BigInt(n));
  } else {
    bytes[at] = 0xd3;
    view.setBigInt64(0, BigInt(n));
  }
}

/**
 * Walks exactly one MessagePack value spanning all of `b`, iteratively (nesting costs no stack), calling `onDouble`
 * with the offset of each float64's 0xCB byte. Throws on a truncated value, trailing bytes, 0xC1 and, when
 * `strict`, extension types.
 */
function walk(b: Uint8Array, strict: boolean, onDouble?: (at: number) => void): void {
  const end = b.length;
  let p = 0;
  let pending = 1;
  while (pending > 0) {
    if (p >= end) throw new Error('truncated MessagePack');
    const t = b[p++];
    pending--;
    if (t <= 0x7f || t >= 0xe0) continue;
    if (t <= 0x8f) {
      pending += 2 * (t & 0x0f);
      continue;
    }
    if (t <= 0x9f) {
      pending += t & 0x0f;
      continue;
    }
    if (t <= 0xbf) {
      p += t & 0x1f;
      continue;
    }
    // The 8-, 16- and 32-bit lengths and counts that follow some type bytes; read past the end, they leave `p` past
    // the end or NaN, which is reported as truncation.
    const u8 = b[p];
    const u16 = (b[p] << 8) | b[p + 1];
    const u32 = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
    switch (t) {
      case 0xc0: case 0xc2: case 0xc3: break;
      case 0xcc: case 0xd0: p += 1; break;
      case 0xcd: case 0xd1: p += 2; break;
      case 0xca: case 0xce: case 0xd2: p += 4; break;
      case 0xcb: onDouble?.(p - 1); p += 8; break;
      case 0xcf: case 0xd3: p += 8; break;
      case 0xc4: case 0xd9: p += 1 + u8; break;
      case 0xc5: case 0xda: p += 2 + u16; break;
      case 0xc6: case 0xdb: p += 4 + u32; break;
      case 0xdc: p += 2; pending += u16; break;
      case 0xdd: p += 4; pending += u32; break;
      case 0xde: p += 2; pending += 2 * u16; break;
      case 0xdf: p += 4; pending += 2 * u32; break;
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: if (strict) throw notStandard(t, p); p += 1 + 2 ** (t - 0xd4); break;
      case 0xc7: if (strict) throw notStandard(t, p); p += 2 + u8; break;
      case 0xc8: if (strict) throw notStandard(t, p); p += 3 + u16; break;
      case 0xc9: if (strict) throw notStandard(t, p); p += 5 + u32; break;
      default: throw notStandard(t, p);
    }
    if (Number.isNaN(pending) || Number.isNaN(p)) throw new Error('truncated MessagePack');
  }
  if (p !== end) throw new Error(p > end ? 'truncated MessagePack' : `${end - p} bytes after the MessagePack value`);
}

function notStandard(type: number, next: number): Error {
  return new Error(`0x${type.toString(16)} at byte ${next - 1} is not a standard MessagePack type`);
}
