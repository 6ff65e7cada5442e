/** What the viewer draws, in a real Chromium: each object once with an arrow per reference (aliasing, cycles), truncation markers, viz arrays' highlights (Python and a C++ program), an exception at its step. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, position, screenshots, startViewer, stopViewer, typeProgram, verdictOf, waitForStep, type WatchedPage } from '../support/browser.ts';

const TRUNCATED = 'a = list(range(150))\nd = {k: k for k in range(120)}\ns = "x" * 5000\nprint(len(a))\n';

async function runExample(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Example' }).selectOption({ label });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  assert.equal(await verdictOf(page), label === 'An exception' ? 'runtime_error' : 'ok');
}

/** The ids a card's (or a frame's) reference dots point to, by field or variable name. */
async function refsOf(page: Page, scope: string): Promise<Record<string, string>> {
  return page.locator(scope).evaluate((el) =>
    Object.fromEntries([...el.querySelectorAll('tr')].flatMap((tr) => {
      const dot = tr.querySelector<HTMLElement>('[data-ref]');
      return dot ? [[tr.querySelector('th')?.textContent ?? '', dot.dataset.ref!]] : [];
    })),
  );
}

describe('drawing', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let wb: WatchedPage;
  before(async () => {
    ({ server, browser } = await startViewer());
    wb = await openPage(browser, `http://127.0.0.1:${server.port}/`);
  });
  after(() => stopViewer(server, browser));

  it('draws each object once, an arrow per reference: aliasing and a cycle show', async () => {
    const { page } = wb;
    await runExample(page, 'References, aliasing and a cycle');
    const ids = await page.locator('[data-obj]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.obj!));
    assert.equal(new Set(ids).size, ids.length, 'no object drawn twice');
    const module = await refsOf(page, '.frame:has(.frame-name:text-is("<module>"))');
    // a and b are one list (and the tuple holds it too): one card, three arrows into it.
    assert.equal(module.a, module.b);
    assert.equal(await page.locator(`[data-ref="${module.a}"]`).count(), 3);
    // head → next → next → next is head again.
    let at = module.head;
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) {
      seen.push(at);
      at = (await refsOf(page, `[data-obj="${at}"]`)).next;
    }
    assert.equal(at, module.head, `a cycle through ${seen.join(' → ')}`);
    assert.equal(new Set(seen).size, 3);
    // One SVG arrow per reference dot.
    const dots = await page.locator('.state [data-ref]').count();
    assert.equal(await page.locator('.state svg.arrows g path').count(), dots);
    // Following a reference by keyboard moves the focus to its object.
    await page.locator('.frame tr', { hasText: 'head' }).getByRole('button').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.obj), module.head);
    await screenshots(page, 'objects-aliasing-cycle');
    assertNoErrors(wb);
  });

  it('marks what the tracer cut: long lists, dicts and strings', async () => {
    const { page } = wb;
    await typeProgram(page, TRUNCATED);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.equal(await verdictOf(page), 'ok');
    const list = page.locator('.obj.kind-list');
    assert.equal(await list.locator('.cell').count(), 100, 'the 100 items sent');
    assert.equal(await list.locator('.trunc').textContent(), '+50 more');
    assert.equal(await page.locator('.obj.kind-dict .trunc').textContent(), '+20 more');
    assert.equal(await page.locator('.frame tr', { hasText: 's' }).locator('.trunc').last().textContent(), '5,000 chars');
    assertNoErrors(wb);
  });

  it("highlights a viz array's selected range and patched cells, with the step's label", async () => {
    const { page } = wb;
    await runExample(page, 'Binary search (viz API)');
    const { n } = await position(page);
    await page.keyboard.press('Home');
    let selected = 0;
    for (let i = 2; i <= n && selected === 0; i++) {
      await page.keyboard.press('ArrowRight');
      await waitForStep(page, i);
      selected = await page.locator('.viz .cells li.selected').count();
    }
    assert.equal(selected, 9, 'a.select(0, 8) selects the whole array');
    await page.keyboard.press('End');
    await waitForStep(page, n);
    const patched = page.locator('.viz .cells li.patched');
    assert.equal(await patched.count(), 1);
    assert.match((await patched.textContent()) ?? '', /found/);
    await page.getByRole('region', { name: 'Visualization' }).getByRole('button', { name: 'look at mid' }).waitFor();
    assertNoErrors(wb);
  });

  it('a C++ program (its example) compiles, runs and draws its viz array from the first pass to sorted, with its output', async () => {
    const { page } = wb;
    await page.getByRole('combobox', { name: 'Language' }).selectOption('cpp');
    await runExample(page, 'Bubble sort (viz API)');
    const cells = page.getByRole('group', { name: 'array v' }).locator('.cells li .lit');
    await page.getByRole('region', { name: 'Output' }).getByText('1 2 4 5 8').waitFor();
    assert.deepEqual(await cells.allTextContents(), ['1', '2', '4', '5', '8'], 'sorted at the last step');
    const slider = page.getByRole('slider', { name: 'Step' });
    await slider.focus();
    await page.keyboard.press('Home');
    await waitForStep(page, 1);
    // Stepping forward from the start, the array is drawn as the program first showed it, unsorted.
    for (let k = 0; k < 4 && (await cells.count()) === 0; k++) await page.keyboard.press('ArrowRight');
    assert.deepEqual(await cells.allTextContents(), ['5', '1', '4', '2', '8'], 'as given, before the first swap');
    await screenshots(page, 'cpp-viz');
    assertNoErrors(wb);
  });

  it('shows an exception at its step, and jumps to it', async () => {
    const { page } = wb;
    await runExample(page, 'An exception');
    const { n } = await position(page);
    await page.keyboard.press('Home');
    await waitForStep(page, 1);
    await page.getByRole('button', { name: /^Go to exception \(step \d+\)$/ }).click();
    const { i } = await position(page);
    assert.ok(i > 1 && i <= n, `jumped to step ${i}`);
    await page.getByRole('note').getByText('ZeroDivisionError').waitFor();
    await page.getByTestId('narration').getByText(/exception ZeroDivisionError: division by zero/).waitFor({ state: 'attached' });
    assert.match((await page.getByRole('status').textContent()) ?? '', /ZeroDivisionError: division by zero \(line 2\)/);
    await screenshots(page, 'exception');
    assertNoErrors(wb);
  });
});
