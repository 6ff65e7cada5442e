/** The `auth` command and the identity checks every other command passes first (TRACECAST_AUTH). */
import type { ClientMessage, ClientMessageOf } from '../../protocol/index.ts';
import { AuthFailure, ownerOf, type AuthMode, type TokenVerifier } from '../auth/identity.ts';
import { Refusal, type Caller } from './caller.ts';

export interface AuthDeps {
  auth: { mode: AuthMode; verifier: TokenVerifier | null };
}

export function createAuth(deps: AuthDeps) {
  const { mode, verifier } = deps.auth;

  /** Verifies `token` and makes it the caller's identity; a connection's user never changes. */
  async function authenticate(caller: Caller, token: string): Promise<void> {
    if (mode === 'off' || !verifier) throw new Refusal('unauthenticated', 'this server reads no tokens (TRACECAST_AUTH=off): connect without one');
    let identity;
    try {
      identity = await verifier.verify(token);
    } catch (err) {
      if (err instanceof AuthFailure) throw new Refusal('unauthenticated', err.message);
      throw err;
    }
    if (caller.identity && caller.identity.user !== identity.user) throw new Refusal('forbidden', 'a connection\'s user cannot change: open another connection for another user');
    caller.identity = identity;
    caller.owner = ownerOf(identity, caller.peer.id);
  }

  return {
    /** Starts verifying a token the connection came with; its first message waits for the outcome. */
    connected(caller: Caller): void {
      const token = caller.peer.token;
      if (!token || mode === 'off') return;
      // A bad header token leaves the connection anonymous; the first message then says why (or is refused).
      caller.authenticating = authenticate(caller, token).catch((err: unknown) => {
        if (err instanceof Refusal) caller.headerTokenRefused = err.message;
        else throw err;
      });
    },

    /** Refuses a message the caller's identity does not allow (anything but `auth`, without a valid token, when required). */
    async check(caller: Caller, msg: ClientMessage): Promise<void> {
      if (caller.authenticating) await caller.authenticating.finally(() => (caller.authenticating = null));
      if (msg.type === 'auth' || mode === 'off') return;
      const { identity } = caller;
      if (identity?.expiresAt != null && identity.expiresAt <= Date.now()) throw new Refusal('unauthenticated', 'the token has expired: send `auth` with a fresh one');
      if (mode === 'required' && !identity) {
        throw new Refusal('unauthenticated', caller.headerTokenRefused ? `the connection's token was refused: ${caller.headerTokenRefused}` : 'this server requires a token: send `auth` first');
      }
    },

    async auth(caller: Caller, msg: ClientMessageOf<'auth'>): Promise<void> {
      await authenticate(caller, msg.token);
      const { user, role, name, expiresAt } = caller.identity!;
      caller.peer.reply({ type: 'authenticated', id: msg.id, user, role, name, expiresAt });
    },
  };
}
