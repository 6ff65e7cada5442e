/** JSON Web Tokens for tests of a server with TRACECAST_AUTH on: the server's settings and tokens signed to match them (or not). */
import { SignJWT } from 'jose';

export const JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
export const JWT_ISSUER = 'https://school.example';
export const JWT_AUDIENCE = 'tracecast';

/** A server's environment for `mode` with the tokens below. */
export const authEnv = (mode: 'optional' | 'required'): Record<string, string> => ({
  TRACECAST_AUTH: mode,
  TRACECAST_JWT_SECRET: JWT_SECRET,
  TRACECAST_JWT_ISSUER: JWT_ISSUER,
  TRACECAST_JWT_AUDIENCE: JWT_AUDIENCE,
});

export interface TokenOptions {
  secret?: string;
  audience?: string;
  /** `exp`: a duration ('1h') or epoch seconds. */
  expiresIn?: string | number;
  /** The display name (default: the user in capitals). */
  name?: string;
}

export function signToken(sub: string, role: string, opts: TokenOptions = {}): Promise<string> {
  return new SignJWT({ role, name: opts.name ?? sub.toUpperCase() })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(JWT_ISSUER)
    .setAudience(opts.audience ?? JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));
}
