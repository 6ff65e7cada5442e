// The learner's output on its way to `output` frames (../CHANNEL.md), shared by trace, bench and grade mode: cut at
// the run's cap before anything measures or copies all of it, and sent in pieces that each fit a frame.

// UTF-16 units per `output` frame: <= 768 KiB of JSON even if every one is a \u00XX escape.
export const OUT_CHUNK = 1 << 17;

/** Lone surrogates as U+FFFD: every string on the wire is UTF-8. */
export const wf = (t) => (t.isWellFormed() ? t : t.toWellFormed());
const isLead = (u) => u >= 0xd800 && u <= 0xdbff;

/**
 * What of `text` + `tail` fits in `room` more UTF-8 bytes: {text, bytes, over}. Lone surrogates become U+FFFD.
 *
 * A UTF-16 unit is at least one UTF-8 byte, so a string longer than the room is over it whatever it holds and only its
 * first `room` units are read: console.log of a 50 MB string never appends its newline, encodes or copies it whole.
 * (V8 still flattens a rope it reads, once: 'a'.repeat(n) is one until then.)
 *
 *   fitOutput('héllo', '\n', 4)   // {text: 'hé', bytes: 3, over: true}
 */
export function fitOutput(text, tail, room) {
  room = Math.max(0, room);
  if (text.length + tail.length <= room) {
    const t = wf(tail === '' ? text : text + tail);
    const bytes = Buffer.byteLength(t, 'utf8');
    if (bytes <= room) return { text: t, bytes, over: false };
    return cut(t, room);
  }
  return cut(text.length > room ? text : text + tail, room);
}

function cut(text, room) {
  let head = text.slice(0, room);
  // a pair cut in two would leave its lead alone, which is U+FFFD, not the part of a character under the cap
  if (head.length > 0 && head.length < text.length && isLead(head.charCodeAt(head.length - 1))) head = head.slice(0, -1);
  const buf = Buffer.from(wf(head), 'utf8');
  let n = Math.min(room, buf.length);
  while (n > 0 && n < buf.length && (buf[n] & 0xc0) === 0x80) n--;
  return { text: buf.toString('utf8', 0, n), bytes: n, over: true };
}

/** Where the piece of `text` that starts at `k` ends: at most OUT_CHUNK units on, never inside a surrogate pair. */
export function pieceEnd(text, k) {
  let end = Math.min(k + OUT_CHUNK, text.length);
  if (end < text.length && isLead(text.charCodeAt(end - 1))) end--;
  return end;
}

/** `text` in pieces that each fit an `output` frame. */
export function outputPieces(text) {
  if (text.length <= OUT_CHUNK) return [text];
  const pieces = [];
  for (let k = 0; k < text.length; k = pieceEnd(text, k)) pieces.push(text.slice(k, pieceEnd(text, k)));
  return pieces;
}
