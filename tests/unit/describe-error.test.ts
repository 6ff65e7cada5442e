/** What the command line prints for a failure: never `undefined`, whatever was thrown. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../server/cli/describe-error.ts';

describe('describeError', () => {
  it('an Error: its message, and its cause', () => {
    assert.equal(describeError(new Error('no such file')), 'no such file');
    assert.equal(describeError(new Error('could not start the server', { cause: new Error('port in use') })), 'could not start the server\n  caused by: port in use');
  });

  it('a non-Error (PGlite throws Emscripten objects with an errno and no message): its inspected form', () => {
    const text = describeError({ errno: 44 });
    assert.match(text, /errno: 44/);
    assert.match(text, /an object was thrown, not an Error/);
    assert.doesNotMatch(text, /undefined/);
    assert.match(describeError(undefined), /^undefined \(undefined was thrown/);
    assert.match(describeError('text'), /'text'/);
  });

  it('an Error with no message says so', () => {
    assert.match(describeError(new Error()), /^Error with no message/);
    assert.match(describeError(new Error('outer', { cause: { errno: 44 } })), /caused by: \{ errno: 44 \}/);
  });
});
