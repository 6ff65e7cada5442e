/**
 * Serves the viewer's static files (web/, built into .build/web) from memory: read and gzipped once at start-up.
 * Pages (`/`, `/s/*`, `/r/*`, `/embed`) are the one HTML shell, revalidated on every load (`no-cache` + ETag); hashed
 * assets are cached for a year (their name changes with their content); `/sdk/tracecast.js` has a stable name, so it
 * is revalidated too. Anything else is 404.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

interface Asset {
  body: Buffer;
  /** Null when gzip would not make it smaller (images, tiny files). */
  gzip: Buffer | null;
  type: string;
  cacheControl: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const PAGE = /^\/(?:|s\/.*|r\/.*|embed\/?)$/;
// The viewer's Content Security Policy (web/README.md): everything from its own origin, no inline script.
// style-src allows inline styles because CodeMirror 6 inserts a <style> element at run time (a nonce would need
// a per-response shell and the editor's cspNonce facet); styles cannot run code. connect-src 'self' covers the
// same-origin ws:/wss: of /ws (CSP Level 3). frame-ancestors is per page: /embed is made for other sites' iframes.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');
const EMBED = /^\/embed\/?$/;
const NOT_BUILT = 'The tracecast viewer is not built. Run `npm start` (it builds everything), or `node web/build.mjs`, then restart the server.\n';

export class StaticSite {
  private constructor(
    private readonly files: ReadonlyMap<string, Asset>,
    /** False when the folder holds no build: the server still runs, and `/` says how to build the viewer. */
    readonly built: boolean,
  ) {}

  /** Reads every file under `dir` once. A missing build is not an error (see `built`). */
  static load(dir: string): StaticSite {
    if (!existsSync(path.join(dir, 'index.html'))) return new StaticSite(new Map(), false);
    const files = new Map<string, Asset>();
    for (const rel of walk(dir)) {
      const url = `/${rel.split(path.sep).join('/')}`;
      const body = readFileSync(path.join(dir, rel));
      const type = TYPES[path.extname(rel)] ?? 'application/octet-stream';
      const compressed = /^(text\/|application\/json|image\/svg)/.test(type) ? gzipSync(body, { level: 9 }) : null;
      files.set(url, {
        body,
        gzip: compressed && compressed.length < body.length ? compressed : null,
        type,
        cacheControl: url.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
        // Weak: the gzipped and the plain bytes are the same resource.
        etag: `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
    return new StaticSite(files, true);
  }

  /** The file a GET of `url` (path only, no query) answers with, or null for 404. */
  resolve(url: string): Asset | null {
    return this.files.get(PAGE.test(url) ? '/index.html' : url) ?? null;
  }

  /** Answers a GET request (uWS handler: synchronous, so no onAborted is needed). */
  serve(res: HttpResponse, req: HttpRequest): void {
    const url = req.getUrl();
    if (!this.built) {
      res.writeStatus(url === '/' ? '503 Service Unavailable' : '404 Not Found').writeHeader('content-type', 'text/plain; charset=utf-8').end(url === '/' ? NOT_BUILT : 'not found\n');
      return;
    }
    const asset = this.resolve(url);
    if (!asset) {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain; charset=utf-8').end('not found\n');
      return;
    }
    const gzip = asset.gzip !== null && /\bgzip\b/.test(req.getHeader('accept-encoding'));
    if (req.getHeader('if-none-match') === asset.etag) {
      securityHeaders(res.writeStatus('304 Not Modified'), url);
      res.writeHeader('etag', asset.etag).writeHeader('cache-control', asset.cacheControl).end();
      return;
    }
    securityHeaders(res, url);
    res.writeHeader('content-type', asset.type).writeHeader('cache-control', asset.cacheControl).writeHeader('etag', asset.etag);
    if (asset.gzip) res.writeHeader('vary', 'accept-encoding');
    if (gzip) res.writeHeader('content-encoding', 'gzip');
    res.end(gzip ? asset.gzip! : asset.body);
  }
}

/**
 * Headers of every viewer answer (a 304 too: a browser may refresh the stored ones from it). Pages other than
 * /embed may not be framed (clickjacking of Run and session controls); /embed may be, by any site.
 */
function securityHeaders(res: HttpResponse, url: string): void {
  const embed = EMBED.test(url);
  res
    .writeHeader('content-security-policy', `${CSP}; frame-ancestors ${embed ? '*' : "'none'"}`)
    .writeHeader('x-content-type-options', 'nosniff')
    // Page addresses carry join codes (/s/CODE) and run ids: never sent to another site.
    .writeHeader('referrer-policy', 'no-referrer');
  if (!embed) res.writeHeader('x-frame-options', 'DENY');
}

function* walk(dir: string, sub = ''): Generator<string> {
  for (const e of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    const rel = path.join(sub, e.name);
    if (e.isDirectory()) yield* walk(dir, rel);
    else if (e.isFile()) yield rel;
  }
}
