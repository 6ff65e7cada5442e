/** The TokenVerifier on jose: HS256 with a shared secret, or the keys of a JWKS URL; issuer, audience and algorithms pinned. */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { AuthFailure, ROLES, type Identity, type Role, type TokenVerifier } from './identity.ts';

export interface JwtOptions {
  /** HS256 shared secret (TRACECAST_JWT_SECRET); or */
  secret?: string;
  /** a JWKS URL (TRACECAST_JWT_JWKS_URL), fetched and cached by jose. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Accepted `alg` values: never what the token's header asks for alone (no `none`, no HS/RS confusion). */
  algorithms: string[];
  clockToleranceS: number;
}

export class JoseVerifier implements TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly options: JWTVerifyOptions;

  constructor(options: JwtOptions) {
    if (!options.secret === !options.jwksUrl) throw new Error('give exactly one of TRACECAST_JWT_SECRET and TRACECAST_JWT_JWKS_URL');
    this.key = options.secret ? new TextEncoder().encode(options.secret) : createRemoteJWKSet(new URL(options.jwksUrl!));
    this.options = {
      algorithms: options.algorithms,
      clockTolerance: options.clockToleranceS,
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      requiredClaims: ['sub'],
    };
  }

  async verify(token: string): Promise<Identity> {
    let payload;
    try {
      // Two overloads (a key, a key getter): one call site each keeps TypeScript on the right one.
      ({ payload } = typeof this.key === 'function' ? await jwtVerify(token, this.key, this.options) : await jwtVerify(token, this.key, this.options));
    } catch (err) {
      throw new AuthFailure(reason(err));
    }
    const role = payload.role ?? 'student';
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new AuthFailure(`the token's role claim must be one of ${ROLES.join(', ')}`);
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200) throw new AuthFailure('the token has no usable sub claim');
    const name = typeof payload.name === 'string' ? payload.name.slice(0, 100) : null;
    return { user: payload.sub, role: role as Role, name, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
  }
}

/** Why jose refused a token, in words that name no part of it. */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted (${err.reason})`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token\'s signature does not verify';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token\'s algorithm is not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the JWKS matches the token';
  if (err instanceof errors.JOSEError) return `the token is not valid (${err.code})`;
  return 'the token could not be verified';
}
