/** Class mode in a real Chromium: an instructor's session followed live by a student (who scrubs, returns to live and loses their connection), then by a late joiner. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, position, screenshots, startViewer, stopViewer, typeProgram, verdictOf, WAIT, waitForStep, type WatchedPage } from '../support/browser.ts';

const TICKS = 40;
/** Slow enough (8 s) for a student to watch it run, scrub, come back to live and lose the connection meanwhile. */
const PROGRAM = `import time\nfor k in range(${TICKS}):\n    time.sleep(0.2)\n    print("tick", k)\n`;
const OUTPUT = Array.from({ length: TICKS }, (_, k) => `tick ${k}\n`).join('');

/** Records the page's WebSockets, so the test can drop the viewer's connection as a network failure would. */
function recordSockets(): void {
  const Native = window.WebSocket;
  const sockets: WebSocket[] = [];
  (window as unknown as { sockets: WebSocket[] }).sockets = sockets;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  };
}

const output = (page: Page) => page.getByRole('region', { name: 'Output' }).locator('pre').textContent();
const watchers = (page: Page, n: number) =>
  page.waitForFunction((want) => new RegExp(`^${want} watching`).test(document.querySelector('[data-testid=watchers]')?.textContent ?? ''), n, { timeout: WAIT });

describe('class mode', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    ({ server, browser } = await startViewer());
  });
  after(() => stopViewer(server, browser));

  it('a student who joins by code sees the same steps live, resumes after a dropped connection, and a late joiner catches up', async () => {
    const teacher = await openPage(browser, `http://127.0.0.1:${server.port}/`);
    await teacher.page.getByRole('textbox', { name: 'Title' }).fill('Sorting, week 3');
    await teacher.page.getByRole('button', { name: 'Open a class session' }).click();
    const code = ((await teacher.page.getByTestId('join-code').textContent()) ?? '').trim();
    assert.match(code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    const link = await teacher.page.getByTestId('session-link').getAttribute('href');
    assert.equal(link, `http://127.0.0.1:${server.port}/s/${code}`);

    const student: WatchedPage = await openPage(browser, link!, recordSockets);
    await watchers(teacher.page, 2);
    await student.page.getByRole('heading', { name: `Session ${code} · Sorting, week 3` }).waitFor();

    await typeProgram(teacher.page, PROGRAM);
    await teacher.page.getByRole('button', { name: 'Run', exact: true }).click();

    // Live: the student's viewer follows the newest step while the run is going.
    const { page } = student;
    await page.waitForFunction(() => document.querySelector('.live') !== null && /^step \d+ of \d+$/.test(document.querySelector('[data-testid=position]')?.textContent ?? ''), null, { timeout: WAIT });
    assert.equal(await page.getByRole('status').getAttribute('data-verdict'), null, 'steps are shown before the verdict');
    // Detach to scrub: the viewer stays on its step and offers to go back to live.
    await page.keyboard.press('Home');
    await waitForStep(page, 1);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.locator('.live').waitFor();

    // A dropped connection: the client reconnects and resumes from the last position it received.
    await page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.at(-1)!.close());
    assert.equal(await verdictOf(teacher.page), 'ok');
    assert.equal(await verdictOf(page), 'ok');
    assert.equal(await page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.length), 2, 'the student reconnected once');

    // Nothing lost, nothing twice (a repeated step would also have thrown in the page: no errors below).
    const end = await position(teacher.page);
    assert.deepEqual(await position(page), end);
    assert.equal(await output(page), OUTPUT);
    assert.equal(await output(teacher.page), OUTPUT);
    // The same state at the same step on both pages.
    for (const p of [teacher.page, page]) {
      await p.getByRole('slider', { name: 'Step' }).focus();
      await p.keyboard.press('Home');
      for (let k = 0; k < 9; k++) await p.keyboard.press('ArrowRight');
      await waitForStep(p, 10);
    }
    const stateAt10 = (p: Page) => p.getByRole('region', { name: 'Call stack' }).innerText();
    assert.equal(await stateAt10(page), await stateAt10(teacher.page));

    // A late joiner gets the whole run from the log.
    const late = await openPage(browser, link!);
    assert.equal(await verdictOf(late.page), 'ok');
    await waitForStep(late.page, end.n);
    assert.deepEqual(await position(late.page), end);
    assert.equal(await output(late.page), OUTPUT);
    await watchers(teacher.page, 3);

    // A second run: the student, still on the first run's step 10 (detached), is told and can go back to live.
    await teacher.page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText('A newer run has started.').waitFor();
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.locator('.live').waitFor();
    await late.page.locator('.live').waitFor();

    await screenshots(teacher.page, 'class-instructor');
    await screenshots(page, 'class-student');
    await teacher.page.getByRole('button', { name: 'Cancel', exact: true }).click();
    assert.equal(await verdictOf(late.page), 'cancelled');
    assertNoErrors(teacher, student, late);
  });
});
