/** The benchmark panel in a real Chromium: each `bench.point` plotted as it arrives, then the fitted curve and the verdict. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, screenshots, startViewer, stopViewer, verdictOf, WAIT } from '../support/browser.ts';

const SIZES = [100, 150, 200, 300, 400, 500];

describe('benchmark panel', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    ({ server, browser } = await startViewer());
  });
  after(() => stopViewer(server, browser));

  it('plots the points one by one, then the fitted curve and the verdict', async () => {
    const wb = await openPage(browser, `http://127.0.0.1:${server.port}/`);
    const { page } = wb;
    await page.getByRole('tab', { name: 'Benchmark' }).click();
    const panel = page.getByRole('region', { name: 'Benchmark' });
    // The bubble sort example suggests its function and a generator.
    assert.equal(await panel.getByRole('textbox', { name: 'Function' }).inputValue(), 'bubble_sort');
    await panel.getByRole('textbox', { name: 'Sizes' }).fill(SIZES.join(', '));
    await panel.getByRole('spinbutton', { name: 'Repeats' }).fill('3');
    // Every few ms, note how many points the time plot draws: the counts it went through show whether
    // the points appeared one by one or all at the end.
    await page.evaluate(() => {
      const counts: number[] = [];
      (window as unknown as { counts: number[] }).counts = counts;
      // (An anonymous callback: the test runner's transpiler names named functions through a helper the page lacks.)
      setInterval(() => {
        const n = Number(document.querySelector('.plot')?.getAttribute('data-points') ?? -1);
        if (n >= 0 && counts[counts.length - 1] !== n) counts.push(n);
      }, 5);
    });
    await panel.getByRole('button', { name: 'Run benchmark' }).click();
    assert.equal(await verdictOf(page), 'ok');
    await panel.getByTestId('bench-verdict').waitFor();

    const counts = await page.evaluate(() => (window as unknown as { counts: number[] }).counts);
    const rows = await panel.getByRole('table', { name: 'Measured points' }).locator('tbody tr').count();
    assert.ok(rows >= 3, `${rows} sizes measured`);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), `the plot only grows: ${counts}`);
    assert.equal(counts[counts.length - 1], rows);
    assert.ok(counts.filter((c) => c > 0 && c < rows).length >= 2, `points appeared one by one: the plot showed ${counts.join(' → ')}`);

    // The operation count is exact, so its fit is certain: a bubble sort is O(n²).
    const verdict = (await panel.getByTestId('bench-verdict').textContent()) ?? '';
    assert.match(verdict, /^O\(n²\) · \d+% confidence · from the operation count\./);
    assert.match(verdict, /Operations: O\(n²\) \(confidence 100%/);
    assert.equal(await panel.getByRole('img', { name: /^Operations .*: \d+ points, fitted O\(n²\)$/ }).count(), 1, 'the fitted curve is drawn over the points');

    await panel.getByRole('checkbox', { name: 'Log scales' }).check();
    await panel.getByRole('img', { name: /^Time per call/ }).waitFor();
    await screenshots(page, 'benchmark');
    // The link to share it opens the same benchmark, replayed.
    const link = await page.getByRole('link', { name: 'this benchmark' }).getAttribute('href');
    const shared = await openPage(browser, link!);
    await shared.page.getByTestId('bench-verdict').waitFor({ timeout: WAIT });
    assert.equal(await shared.page.getByRole('table', { name: 'Measured points' }).locator('tbody tr').count(), rows);
    assertNoErrors(wb, shared);
  });

  it('benchmarks a C++ function: only the generators C++ takes, the timings plotted alone, no operation count', async () => {
    const wb = await openPage(browser, `http://127.0.0.1:${server.port}/`);
    const { page } = wb;
    await page.getByRole('combobox', { name: 'Language' }).selectOption('cpp');
    await page.getByRole('tab', { name: 'Benchmark' }).click();
    const panel = page.getByRole('region', { name: 'Benchmark' });
    assert.equal(await panel.getByRole('textbox', { name: 'Function' }).inputValue(), 'bubble_sort');
    const generators = await panel.getByRole('combobox', { name: 'Input generator' }).locator('option').allTextContents();
    assert.deepEqual(generators, ['random_ints', 'sorted_ints', 'reversed_ints', 'string', 'sorted_target', 'two_sum']);
    await panel.getByRole('textbox', { name: 'Sizes' }).fill('100, 200, 400');
    await panel.getByRole('spinbutton', { name: 'Repeats' }).fill('2');
    await panel.getByRole('button', { name: 'Run benchmark' }).click();
    assert.equal(await verdictOf(page), 'ok');
    const verdict = (await panel.getByTestId('bench-verdict').textContent()) ?? '';
    assert.match(verdict, / · from the timings\. C\+\+ has no operation count \(timings only\)/);
    assert.equal(await panel.getByRole('img', { name: /^Operations/ }).count(), 0);
    assert.equal(await panel.getByRole('img', { name: /^Time per call .*: 3 points/ }).count(), 1);
    await panel.getByText('No operation count for this language: the timings alone.').waitFor();
    const operations = await panel.getByRole('table', { name: 'Measured points' }).locator('tbody tr td:nth-child(4)').allTextContents();
    assert.deepEqual(operations, ['–', '–', '–']);
    assertNoErrors(wb);
  });
});
