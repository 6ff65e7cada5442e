/** How the gateway serves the viewer (caching, types, gzip, 404, no inline script, security headers and a CSP the viewer passes), the page's JavaScript budget, and the SDK at /sdk/tracecast.js used as protocol/README.md shows. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Browser } from 'playwright-core';
import { StaticSite } from '../../server/gateway/static.ts';
import { paths } from '../../server/paths.ts';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, startViewer, stopViewer, typeProgram, verdictOf } from '../support/browser.ts';

/** Issue 15's budget for the page's JavaScript, gzipped. */
const JS_BUDGET = 400 * 1024;

describe('serving the viewer', { timeout: 5 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  before(async () => {
    ({ server, browser } = await startViewer());
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => stopViewer(server, browser));

  it('serves every page as the one shell (revalidated), hashed assets for a year, the SDK, and 404 otherwise', async () => {
    const home = await fetch(`${base}/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(home.status, 200);
    assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(home.headers.get('cache-control'), 'no-cache');
    assert.equal(home.headers.get('content-encoding'), 'gzip');
    const html = await home.text();
    const etag = home.headers.get('etag')!;
    assert.equal((await fetch(`${base}/`, { headers: { 'if-none-match': etag } })).status, 304);
    for (const page of ['/s/K7QX3M', '/r/V1StGXR8_Z5j', '/embed', '/index.html']) {
      const res = await fetch(`${base}${page}`);
      assert.equal(res.status, 200, page);
      assert.equal(await res.text(), html, page);
    }

    // Content Security Policy friendly: no inline script, no inline handlers; everything from this origin.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="\/assets\//);
      assert.equal(body.trim(), '');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /https?:\/\//, 'no CDN: nothing from another origin');

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
    for (const a of assets) {
      const res = await fetch(`${base}${a}`);
      assert.equal(res.status, 200, a);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', a);
      assert.equal(res.headers.get('content-type'), types[a.split('.').pop()!], a);
    }
    // /sdk/tracecast.js is the very module the viewer imports (preloaded under its hashed name).
    const preloaded = /<link rel="modulepreload" href="([^"]+)">/.exec(html)![1];
    const sdk = await fetch(`${base}/sdk/tracecast.js`);
    assert.equal(sdk.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(sdk.headers.get('cache-control'), 'no-cache');
    assert.equal(await sdk.text(), await (await fetch(`${base}${preloaded}`)).text());

    // Security headers: every page and asset; only /embed may be framed, by any site.
    for (const page of ['/', '/s/K7QX3M', '/r/V1StGXR8_Z5j', '/embed', ...assets, '/sdk/tracecast.js']) {
      const res = await fetch(`${base}${page}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, page);
      assert.match(csp, /script-src 'self'(;|$)/, `${page}: no inline script allowed`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', page);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', page);
      assert.match(csp, page === '/embed' ? /frame-ancestors \*/ : /frame-ancestors 'none'/, page);
      assert.equal(res.headers.get('x-frame-options'), page === '/embed' ? null : 'DENY', page);
    }

    for (const missing of ['/nope', '/assets/nope.js', '/s', '/api-ish']) assert.equal((await fetch(`${base}${missing}`)).status, 404, missing);
    assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 404);
  });

  it('the viewer passes its Content Security Policy: a run in the workbench and the embed page report no violation', async () => {
    // Recorded from before the page's scripts: the event also covers what only shows in the console as an error.
    const watch = () => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
    };
    const violations = (page: typeof wb.page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    const wb = await openPage(browser, `${base}/`, watch);
    assert.match((await wb.page.request.get(`${base}/`)).headers()['content-security-policy'] ?? '', /script-src 'self'/);
    // The editor (CodeMirror's injected <style>), a run's stack and objects, the output: what a visit exercises.
    await typeProgram(wb.page, 'xs = [3, 1, 2]\nxs.sort()\nprint(xs)\n');
    await wb.page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.equal(await verdictOf(wb.page), 'ok');
    assert.deepEqual(await violations(wb.page), []);
    const embed = await openPage(browser, `${base}/embed`, watch);
    await embed.page.waitForLoadState('networkidle');
    assert.deepEqual(await violations(embed.page), []);
    assertNoErrors(wb, embed);

    // Framing: /embed loads in an iframe, the workbench is refused. The framing page is of the same origin (a path the
    // browser intercepts): frame-ancestors 'none' refuses that too, and Chromium's local network access checks refuse
    // a page of any other origin framing 127.0.0.1 before CSP is consulted. The headers test covers `*`.
    const other = `${base}/framer-page`;
    const framer = await openPage(browser, 'about:blank');
    await framer.page.route(other, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<iframe id="embed" src="${base}/embed"></iframe><iframe id="home" src="${base}/"></iframe>` }),
    );
    await framer.page.goto(other);
    const embedFrame = framer.page.frameLocator('#embed');
    await embedFrame.locator('#app > *').first().waitFor();
    await framer.page.waitForLoadState('networkidle');
    assert.equal(await framer.page.frameLocator('#home').locator('#app').count(), 0, 'the workbench must not render inside another site\'s frame');
    assert.ok(framer.errors.some((e) => /frame-ancestors/.test(e)), `the browser says why it refused: ${framer.errors.join('; ')}`);
    await Promise.all([wb.context.close(), embed.context.close(), framer.context.close()]);
  });

  it(`keeps the page's JavaScript within ${JS_BUDGET / 1024} KB gzipped`, async () => {
    const wb = await openPage(browser, `${base}/`);
    await wb.page.getByRole('button', { name: 'Run', exact: true }).waitFor();
    const loaded = new Set<string>();
    for (const entry of await wb.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))) {
      const url = new URL(entry);
      if (url.pathname.endsWith('.js')) loaded.add(url.pathname);
    }
    // The budget counts every script the build holds, so that one loaded later (a lazy chunk) is counted too.
    const built = readdirSync(path.join(paths.web, 'assets')).filter((f) => f.endsWith('.js'));
    for (const url of loaded) assert.ok(built.includes(url.replace('/assets/', '')), `${url} is not one of the build's scripts`);
    const sizes = built.map((f) => [f, gzipSync(readFileSync(path.join(paths.web, 'assets', f))).length] as const);
    const total = sizes.reduce((n, [, s]) => n + s, 0);
    console.log(`# page JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${sizes.map(([f, s]) => `${f} ${(s / 1024).toFixed(1)} KB`).join(', ')})`);
    assert.ok(total <= JS_BUDGET, `${total} bytes gzipped > ${JS_BUDGET}`);
    assertNoErrors(wb);
  });

  it('the SDK runs protocol/README.md\'s example in a browser', async () => {
    const wb = await openPage(browser, `${base}/`);
    const result = await wb.page.evaluate(async (origin) => {
      type Sdk = typeof import('../../web/src/sdk.ts');
      const { TracecastClient, TraceState } = (await import(`${origin}/sdk/tracecast.js`)) as Sdk;
      const client = await TracecastClient.connect(origin.replace('http', 'ws') + '/ws', { reconnect: true });
      const trace = new TraceState();
      const printed: string[] = [];
      const ended = new Promise<{ verdict: string; line: number; vars: unknown }>((resolve) =>
        client.onFrame((frame) => {
          if (frame.type === 'steps') trace.apply(frame.steps);
          if (frame.type === 'output') printed.push(frame.text);
          if (frame.type === 'run.ended') {
            const { step, stack } = trace.seek(2);
            resolve({ verdict: frame.verdict, line: step.line, vars: stack.at(-1)!.vars });
            client.close();
          }
        }),
      );
      client.send({ type: 'execute', language: 'python', code: 'x = [3, 1]\nx.sort()\nprint(x)\n' });
      return { ...(await ended), printed };
    }, base);
    assert.equal(result.verdict, 'ok');
    assert.equal(result.printed.join(''), '[1, 3]\n');
    assert.equal(result.line, 3, 'after step 2 the program is about to print');
    assert.deepEqual((result.vars as [string, unknown][]).map(([name]) => name), ['x']);
    assertNoErrors(wb);
  });
});

describe('StaticSite without a build', () => {
  /** The parts of uWS's response the site writes, recorded. */
  function fakeExchange(url: string) {
    const sent: { status: string; headers: Record<string, string>; body: string } = { status: '200 OK', headers: {}, body: '' };
    const res = {
      writeStatus(s: string) {
        sent.status = s;
        return res;
      },
      writeHeader(k: string, v: string) {
        sent.headers[k] = v;
        return res;
      },
      end(b: string | Buffer = '') {
        sent.body = b.toString();
        return res;
      },
    };
    const req = { getUrl: () => url, getHeader: () => '' };
    return { res: res as unknown as HttpResponse, req: req as unknown as HttpRequest, sent };
  }

  it('answers / with how to build the viewer, and serves a build once there is one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tracecast-web-'));
    try {
      const empty = StaticSite.load(dir);
      assert.equal(empty.built, false);
      let x = fakeExchange('/');
      empty.serve(x.res, x.req);
      assert.equal(x.sent.status, '503 Service Unavailable');
      assert.equal(x.sent.headers['content-type'], 'text/plain; charset=utf-8');
      assert.match(x.sent.body, /not built.*npm start/);
      x = fakeExchange('/assets/app.js');
      empty.serve(x.res, x.req);
      assert.equal(x.sent.status, '404 Not Found');

      writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
      const site = StaticSite.load(dir);
      assert.equal(site.built, true);
      x = fakeExchange('/r/abc');
      site.serve(x.res, x.req);
      assert.equal(x.sent.body, '<!doctype html><title>t</title>');
      assert.equal(x.sent.headers['cache-control'], 'no-cache');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
