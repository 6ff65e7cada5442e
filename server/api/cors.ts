/** Cross-origin access to the JSON API (`TRACECAST_CORS_ORIGINS`): which origins may read `/api/*`, and the preflight answer. */

/** The configured origins, or `*` for any; an empty list allows none (same-origin only, the browser's default). */
export type CorsOrigins = readonly string[] | '*';

export type Header = readonly [name: string, value: string];

// The API is read-only: what a browser may do cross-origin is no more than GET.
const METHODS = 'GET, OPTIONS';
// Authorization: for a token once identity comes (issue 20's JWTs); content-type: clients that send it on a GET anyway.
const ALLOWED_HEADERS = new Set(['authorization', 'content-type']);
// Browsers cap this (Chromium at 2 h); 10 min keeps a changed configuration from lingering long.
const MAX_AGE_S = 600;

export class Cors {
  private readonly any: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(origins: CorsOrigins) {
    this.any = origins === '*';
    // Origins compare as the browser serialises them: lower-case scheme and host, no trailing slash.
    this.origins = new Set(origins === '*' ? [] : origins.map((o) => o.toLowerCase().replace(/\/$/, '')));
  }

  /** Whether a page of `origin` may read the API's answers. */
  allows(origin: string): boolean {
    return this.any || this.origins.has(origin.toLowerCase());
  }

  /** Headers of an answer to an actual (non-preflight) request carrying `origin` (empty string: no Origin header). */
  responseHeaders(origin: string): Header[] {
    // The answer depends on Origin unless every origin gets the same `*`: caches must keep them apart.
    const vary: Header[] = this.any ? [] : [['vary', 'origin']];
    if (!origin || !this.allows(origin)) return vary;
    return [['access-control-allow-origin', this.any ? '*' : origin], ...vary];
  }

  /**
   * The answer to `OPTIONS` (a preflight when it carries Origin and Access-Control-Request-Method): 204 with the
   * allowing headers, or 403 without them when the origin, the method or a requested header is not allowed, so
   * that the browser refuses the request and a person reading the response sees why.
   */
  preflight(origin: string, method: string, requestHeaders: string): { status: number; headers: Header[]; reason?: string } {
    const allow: Header = ['allow', METHODS];
    if (!origin || !method) return { status: 204, headers: [allow] };
    const vary: Header[] = [['vary', 'origin, access-control-request-method, access-control-request-headers']];
    if (!this.allows(origin)) return { status: 403, headers: vary, reason: `origin ${origin} may not use this API (TRACECAST_CORS_ORIGINS)` };
    if (!METHODS.split(', ').includes(method.toUpperCase())) return { status: 403, headers: vary, reason: `method ${method} is not allowed: the API is read-only` };
    const asked = requestHeaders.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
    const refused = asked.filter((h) => !ALLOWED_HEADERS.has(h));
    if (refused.length > 0) return { status: 403, headers: vary, reason: `request header(s) not allowed: ${refused.join(', ')}` };
    return {
      status: 204,
      headers: [
        ['access-control-allow-origin', this.any ? '*' : origin],
        ['access-control-allow-methods', METHODS],
        ...(asked.length > 0 ? [['access-control-allow-headers', asked.join(', ')] as const] : []),
        ['access-control-max-age', String(MAX_AGE_S)],
        ...vary,
      ],
    };
  }
}
