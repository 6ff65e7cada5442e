/** The identity port: who a connection's token says it is, and the verifier that decides (verifier-jose.ts is the adapter). */

export const ROLES = ['student', 'instructor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `off`: tokens are not read; `optional`: anonymous or a valid token; `required`: a valid token before anything else. */
export type AuthMode = 'off' | 'optional' | 'required';

/** What a verified token says: `sub`, `role`, `name` claims, and when it stops being valid. */
export interface Identity {
  user: string;
  role: Role;
  /** The display name the leaderboard shows (the `name` claim), when the token has one. */
  name: string | null;
  /** Epoch ms of `exp`, or null for a token without one. */
  expiresAt: number | null;
}

/**
 * Contract: `verify` resolves with the token's identity only when its signature, algorithm, issuer, audience and
 * times (within the clock tolerance) all check; otherwise it rejects with `AuthFailure`, whose message says why
 * without repeating the token (it is never logged).
 */
export interface TokenVerifier {
  verify(token: string): Promise<Identity>;
}

export class AuthFailure extends Error {}

/** The owner of what a caller starts: its user with a token, else its connection (a reconnect is then someone new). */
export const ownerOf = (identity: Identity | null, connection: string): string => (identity ? `user:${identity.user}` : `conn:${connection}`);
