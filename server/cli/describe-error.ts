/** What a person reads when a command fails: an Error's message (and its causes), or, for anything else thrown, its inspected form. */
import { inspect } from 'node:util';

/**
 * Never `undefined`: libraries throw non-Error values (PGlite's Emscripten errors are plain objects with an `errno`
 * and no message), and an Error may have an empty message.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) {
    const kind = err === null || err === undefined ? String(err) : `${/^[aeiou]/.test(typeof err) ? 'an' : 'a'} ${typeof err}`;
    return `${inspect(err, { depth: 3, breakLength: Infinity })} (${kind} was thrown, not an Error)`;
  }
  let text = err.message || `${err.name} with no message: ${inspect(err, { depth: 2, breakLength: Infinity })}`;
  if (err.cause !== undefined) text += `\n  caused by: ${describeError(err.cause)}`;
  return text;
}
