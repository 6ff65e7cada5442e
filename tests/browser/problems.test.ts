/** The problems panel in a real Chromium: the catalog, a statement and its starter code, and test results case by case (hidden cases: pass/fail only). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { paths } from '../../server/paths.ts';
import type { TestServer } from '../support/server.ts';
import { assertNoErrors, openPage, screenshots, startViewer, stopViewer, typeProgram, verdictOf } from '../support/browser.ts';

// The catalog's deliberately wrong two_sum (it fails the pairs of equal values), slowed down so that its cases
// finish one after another and the page can be seen reporting each as it arrives.
const WRONG = readFileSync(path.join(paths.problems, 'solutions', 'wrong', 'two_sum.py'), 'utf8').replace('def two_sum(nums, target):\n', 'import time\n\ndef two_sum(nums, target):\n    time.sleep(0.15)\n');

describe('problems panel', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    ({ server, browser } = await startViewer());
  });
  after(() => stopViewer(server, browser));

  it("lists the catalog, shows a problem, and reports its tests case by case", async () => {
    const wb = await openPage(browser, `http://127.0.0.1:${server.port}/`);
    const { page } = wb;
    await page.getByRole('tab', { name: 'Problems' }).click();
    const panel = page.getByRole('region', { name: 'Problems' });
    const problem = panel.getByRole('combobox', { name: 'Problem' });
    const catalog = (await (await fetch(`http://127.0.0.1:${server.port}/api/problems`)).json()) as { slug: string }[];
    assert.equal(await problem.locator('option').count(), catalog.length);
    await problem.selectOption('two_sum');
    await panel.getByRole('heading', { name: 'Two Sum' }).waitFor();
    await panel.getByText('4 example cases, 10 hidden').waitFor();

    await panel.getByRole('button', { name: 'Load starter code' }).click();
    assert.match(await page.locator('.cm-content').innerText(), /^def two_sum\(nums: list\[int\], target: int\) -> list\[int\]:/);

    await typeProgram(page, WRONG);
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      setInterval(() => {
        const t = document.querySelector('[data-testid=tests-summary]')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }, 5);
    });
    await panel.getByRole('button', { name: 'Run tests' }).click();
    assert.equal(await verdictOf(page), 'ok');
    await panel.getByText('11 of 14 cases passed').waitFor();

    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const graded = seen.map((t) => Number(/^(\d+) of 14 cases graded/.exec(t)?.[1] ?? -1)).filter((n) => n >= 0);
    assert.ok(new Set(graded.filter((n) => n > 0 && n < 14)).size >= 3, `cases appeared one by one: ${seen.join(' → ')}`);

    const cases = panel.getByRole('list', { name: 'Test cases' }).getByRole('listitem');
    assert.equal(await cases.count(), 14);
    // A public case that failed shows what went in, what was expected, what came back and why.
    const dup = panel.locator('[data-case=dup_pair]');
    assert.match((await dup.textContent()) ?? '', /failed case dup_pair/);
    assert.match((await dup.innerText()) ?? '', /input\s+\[\[3,3\],6\]\s+expected\s+\[0,1\]\s+returned\s+\[\]\s+why\s+\S/);
    // Hidden cases: passed or failed, nothing else.
    const hidden = panel.locator('li.case', { hasText: 'hidden case' });
    assert.equal(await hidden.count(), 10);
    for (const text of await hidden.allInnerTexts()) assert.match(text, /^[✔✘] (passed|failed) hidden case \d+ · [\d.]+ ms$/);
    assert.equal(await hidden.locator('dl').count(), 0);
    assert.equal(await panel.locator('li.case.failed').count(), 3);

    await screenshots(page, 'problems');
    assertNoErrors(wb);
  });
});
