/**
 * Signing in, in a real Chromium, on a server with TRACECAST_AUTH=required: an anonymous page that is refused asks
 * for a token and runs once given one; a link's `#token=` signs the page in, leaves the address, and survives a
 * reload; a refused token says so. A server without auth never shows any of it (the other browser tests).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, screenshots, startViewer, stopViewer, verdictOf } from '../support/browser.ts';
import { authEnv, signToken } from '../support/tokens.ts';

describe('signing in', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  before(async () => {
    // A deadline longer than any test here: the page's anonymous connection is not closed under it.
    ({ server, browser } = await startViewer({ env: { ...authEnv('required'), TRACECAST_AUTH_DEADLINE_MS: '600000' } }));
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => stopViewer(server, browser));

  it('an anonymous Run is refused, the page asks for a token, and runs once signed in', async () => {
    const watched = await openPage(browser, `${base}/`);
    const { page } = watched;
    assert.equal(await page.getByTestId('signed-in').count(), 0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByRole('alert').getByText('This server asks who you are').waitFor();
    await form.getByLabel('Token').fill(await signToken('ada', 'student', { name: 'Ada Lovelace' }));
    await form.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByTestId('signed-in').innerText(), 'Signed in as Ada Lovelace (student) Sign out');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.equal(await verdictOf(page), 'ok');
    await screenshots(page, 'signed-in');
    assertNoErrors(watched);
  });

  it('a link with #token= signs the page in, the address loses the token, and a reload stays signed in', async () => {
    const watched = await openPage(browser, `${base}/#token=${await signToken('grace', 'instructor', { name: 'Grace Hopper' })}`);
    const { page } = watched;
    await page.getByTestId('signed-in').getByText('Grace Hopper').waitFor();
    assert.equal(page.url(), `${base}/`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.equal(await verdictOf(page), 'ok');
    await page.reload();
    await page.getByTestId('signed-in').getByText('Grace Hopper').waitFor();
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
    assert.equal(await page.getByTestId('signed-in').count(), 0, 'signed out after the reload');
    assertNoErrors(watched);
  });

  it('a refused token (another secret) says so and asks again', async () => {
    const forged = await signToken('mallory', 'admin', { secret: 'another-secret-of-at-least-thirty-two-chars' });
    const watched = await openPage(browser, `${base}/#token=${forged}`);
    const form = watched.page.getByRole('form', { name: 'Sign in' });
    await form.getByRole('alert').getByText('The token was refused').waitFor();
    assert.equal(await watched.page.getByTestId('signed-in').count(), 0);
    assertNoErrors(watched);
  });
});
