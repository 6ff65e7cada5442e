/** A real Chromium for the viewer's tests (Debian's, driven by playwright-core): pages that record every console error, screenshots in light and dark. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { paths } from '../../server/paths.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(paths.root, 'test-output', 'screenshots');

/** Every wait but the seek budget gets this long: the suite shares 2 cores with other work. */
export const WAIT = 120_000;

/**
 * Launches Chromium headless. Playwright gives each launch a fresh temporary profile (user-data dir), removed on
 * close; each page below gets its own context, so an instructor's and a student's pages share no storage.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (the test command does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A test server and a Chromium, for one describe block's tests. */
export async function startViewer(options: TestServerOptions = {}): Promise<{ server: TestServer; browser: Browser }> {
  const server = await startTestServer(options);
  return { server, browser: await launchBrowser() };
}

export async function stopViewer(server: TestServer | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors, as they happen. */
  errors: string[];
}

/** A page in a context of its own, recording console errors and page errors; `init` runs in the page before its scripts. */
export async function openPage(browser: Browser, url: string, init?: () => void): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(WAIT);
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error on ${page.url()}: ${e.stack ?? e.message}`));
  await page.goto(url);
  return { page, context, errors };
}

export function assertNoErrors(...pages: WatchedPage[]): void {
  assert.deepEqual(
    pages.flatMap((p) => p.errors),
    [],
  );
}

/** Saves `<name>-light.png` and `<name>-dark.png` of the whole page under test-output/screenshots/, for a person to look at. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Plots redraw their canvas for the new scheme on the next frame.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: null });
}

/** The verdict the status region shows (its `data-verdict`), once there is one. */
export async function verdictOf(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => document.querySelector('[role=status]')?.getAttribute('data-verdict'), null, { timeout: WAIT });
  return (await handle.jsonValue()) as string;
}

/** "step i of n" as the viewer shows it, parsed. */
export async function position(page: Page): Promise<{ i: number; n: number }> {
  const text = (await page.getByTestId('position').textContent()) ?? '';
  const m = /step ([\d,]+) of ([\d,]+)/.exec(text);
  if (!m) throw new Error(`no position in ${JSON.stringify(text)}`);
  return { i: Number(m[1].replaceAll(',', '')), n: Number(m[2].replaceAll(',', '')) };
}

/** Waits until the viewer shows step `i` (1-based, as shown). */
export async function waitForStep(page: Page, i: number): Promise<void> {
  await page.waitForFunction((want) => new RegExp(`^step ${want} of `).test(document.querySelector('[data-testid=position]')?.textContent ?? ''), i.toLocaleString('en'), { timeout: WAIT });
}

/** Replaces the editor's program (as pasting would: no auto-indent or bracket closing). */
export async function typeProgram(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
}

/** The items of the first drawn list object, e.g. "64 25 12": what a sort changes. */
export async function firstList(page: Page): Promise<string> {
  return page.locator('.obj.kind-list .items').first().evaluate((el) => [...el.querySelectorAll('.cell .lit')].map((c) => c.textContent).join(' '));
}
