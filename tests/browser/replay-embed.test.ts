/** Stored runs in a real Chromium (Redis log, Postgres store): `/r/RUN_ID#step=N` replays a run at a step; `/embed` plays one on its own, keys only when focused. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, firstList, openPage, position, screenshots, startViewer, stopViewer, verdictOf, waitForStep } from '../support/browser.ts';

const STEP = 42;
const stateText = async (page: Page) => `${await page.getByRole('region', { name: 'Call stack' }).innerText()}\n${await firstList(page)}`;

describe('replay and embed', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  let run: string;
  let atStep: string;
  let steps: number;
  before(async () => {
    ({ server, browser } = await startViewer({ redis: true, postgres: true }));
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => stopViewer(server, browser));

  it('a step link opens the stored run at that step, and the address follows the step', async () => {
    const wb = await openPage(browser, `${base}/`);
    await wb.page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.equal(await verdictOf(wb.page), 'ok');
    steps = (await position(wb.page)).n;
    const slider = wb.page.getByRole('slider', { name: 'Step' });
    await slider.focus();
    await wb.page.keyboard.press('Home');
    for (let k = 1; k < STEP; k++) await wb.page.keyboard.press('ArrowRight');
    await waitForStep(wb.page, STEP);
    atStep = await stateText(wb.page);
    const link = (await wb.page.getByTestId('step-link').getAttribute('href'))!;
    const m = new RegExp(`^${base}/r/([A-Za-z0-9_-]+)#step=${STEP}$`).exec(link);
    assert.ok(m, link);
    run = m[1];

    const replay = await openPage(browser, link);
    assert.equal(await verdictOf(replay.page), 'ok');
    await waitForStep(replay.page, STEP);
    assert.deepEqual(await position(replay.page), { i: STEP, n: steps });
    assert.equal(await stateText(replay.page), atStep, 'the same state as live at that step');
    await replay.page.getByRole('region', { name: 'Code' }).getByText('bubble_sort(nums)').first().waitFor();
    await replay.page.keyboard.press('ArrowRight');
    await waitForStep(replay.page, STEP + 1);
    await replay.page.waitForURL(`${base}/r/${run}#step=${STEP + 1}`);
    await screenshots(replay.page, 'replay');

    const unknown = await openPage(browser, `${base}/r/noSuchRun123`);
    await unknown.page.getByRole('status').getByText('No finished run noSuchRun123 is stored').waitFor();
    assertNoErrors(wb, replay, unknown);
  });

  it('the embed plays by itself with autoplay, hides its controls on request, and takes keys only when focused', async () => {
    const playing = await openPage(browser, `${base}/embed?run=${run}&autoplay=1&speed=25`);
    const { page } = playing;
    // Playing with nobody touching it: the step advances.
    await waitForStep(page, 10);
    await waitForStep(page, 30);
    assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 1, 'it is playing');
    assert.equal(await page.getByRole('banner').count(), 0, 'the viewer alone: no page header');
    await screenshots(page, 'embed-autoplay');

    const bare = await openPage(browser, `${base}/embed?run=${run}&controls=0&step=${STEP}`);
    await bare.page.getByRole('region', { name: 'Objects' }).waitFor();
    assert.equal(await bare.page.getByRole('slider').count(), 0);
    assert.equal(await bare.page.getByRole('button', { name: /^(Play|Pause|Next step)$/ }).count(), 0);
    await bare.page.locator('.obj.kind-list').waitFor();
    assert.equal(await stateText(bare.page), atStep, `the state at step ${STEP}`);

    const keys = await openPage(browser, `${base}/embed?run=${run}&step=5`);
    await waitForStep(keys.page, 5);
    await keys.page.keyboard.press('ArrowRight');
    await keys.page.keyboard.press('End');
    await keys.page.waitForTimeout(300);
    assert.deepEqual(await position(keys.page), { i: 5, n: steps }, 'keys pressed outside the viewer are left to the page');
    await keys.page.getByRole('region', { name: 'Code' }).click();
    await keys.page.keyboard.press('ArrowRight');
    await waitForStep(keys.page, 6);
    assertNoErrors(playing, bare, keys);
  });
});
