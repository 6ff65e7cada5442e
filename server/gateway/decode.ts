/** Turns one incoming WebSocket message into a validated client message, or the error frame that answers it. */
import { ClientMessages, ErrorCodes, clientMessageTypes, decode, type ClientMessage, type ClientMessageType, type ErrorCode, type ErrorFrame } from '../../protocol/index.ts';

export type Decoded = { ok: true; message: ClientMessage } | { ok: false; error: ErrorFrame };

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function fail(code: ErrorCode, id: string | null, message: string = ErrorCodes[code].text): Decoded {
  return { ok: false, error: { type: 'error', id, code, message } };
}

/**
 * `data` is only valid during the uWS message callback: this reads it synchronously and keeps nothing. Sizes are
 * the WebSocket message's payload (fragments joined, frame headers not counted; UTF-8 bytes for text).
 */
export function decodeMessage(data: ArrayBuffer, isBinary: boolean, maxBytes: number): Decoded {
  if (data.byteLength > maxBytes) return fail('too_large', null, `the message is ${data.byteLength} bytes; the limit is ${maxBytes}`);
  let raw: unknown;
  try {
    raw = isBinary ? decode(new Uint8Array(data)) : JSON.parse(textDecoder.decode(data));
  } catch (err) {
    return fail('bad_encoding', null, `${ErrorCodes.bad_encoding.text}: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('invalid_message', null, 'a message is a map with a `type` field');
  const rawId = (raw as { id?: unknown }).id;
  const id = typeof rawId === 'string' && rawId.length <= 64 ? rawId : null;
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !(clientMessageTypes as string[]).includes(type)) {
    return fail('unknown_type', id, `unknown message type ${JSON.stringify(type) ?? 'undefined'}; known: ${clientMessageTypes.join(', ')}`);
  }
  // The schema of the message's own type, so that a bad message is told the issue of that schema (not a union's).
  const parsed = ClientMessages[type as ClientMessageType].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('invalid_message', id, `${issue.path.join('.') || '(message)'}: ${issue.message}`);
  }
  return { ok: true, message: parsed.data };
}
