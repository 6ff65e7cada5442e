/**
 * Who the page is signed in as, on a server with TRACECAST_AUTH on. Hidden until it matters: while the tab holds a
 * token, or once the server refuses something as `unauthenticated`; a local server without auth never shows it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Connection } from '../model/connection.ts';
import { saveToken, storedToken } from '../model/token.ts';
import type { FrameOf } from '../model/run-model.ts';

type Identity = Pick<FrameOf<'authenticated'>, 'user' | 'role' | 'name'>;

export function SignIn({ conn }: { conn: Connection }) {
  const { client } = conn;
  const [who, setWho] = useState<Identity | null>(null);
  /** Why a token is asked for (the server's refusal); null: not asking. */
  const [asking, setAsking] = useState<string | null>(null);
  const [draft, setDraft] = useState('');

  const signIn = async (token: string): Promise<void> => {
    const reply = await client.authenticate(token);
    if (reply.type === 'authenticated') {
      saveToken(token);
      setWho(reply);
      setAsking(null);
      setDraft('');
    } else if (reply.type === 'error') {
      saveToken(null);
      setWho(null);
      setAsking(`The token was refused: ${reply.message}`);
    }
  };

  useEffect(() => {
    const token = storedToken();
    if (token) void signIn(token);
    return client.onFrame((frame) => {
      if (frame.type === 'error' && frame.code === 'unauthenticated') setAsking(frame.message);
    });
  }, []);

  if (who) {
    return (
      <p class="sign-in" data-testid="signed-in">
        Signed in as <strong>{who.name ?? who.user}</strong> ({who.role}){' '}
        <button
          type="button"
          class="linklike"
          onClick={() => {
            // A connection's user never changes: an anonymous page needs a connection of its own.
            saveToken(null);
            location.reload();
          }}
        >
          Sign out
        </button>
      </p>
    );
  }
  if (asking === null) return null;
  return (
    <form
      class="sign-in"
      aria-label="Sign in"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.trim()) void signIn(draft.trim());
      }}
    >
      <span role="alert">This server asks who you are ({asking}).</span>
      <label>
        Token{' '}
        <input type="password" autoComplete="off" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="paste the token your course gave you" />
      </label>
      <button type="submit">Sign in</button>
    </form>
  );
}
