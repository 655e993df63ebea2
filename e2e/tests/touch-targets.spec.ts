import { expect, test, type Page } from '@playwright/test';
import { openLane, openShift, scan, signIn } from '../support/till';

/** Issue 8: touch targets are at least 44 px, measured the way the finger meets them, in Chromium's layout. */
const MIN_TARGET_PX = 44;

/**
 * Every visible control that is smaller than a fingertip, described so a failure names it. A radio button
 * or checkbox is hit through its label, so the label is what gets measured.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const selector = [
      'button',
      'select',
      'input:not([type="radio"]):not([type="checkbox"]):not([type="hidden"])',
      '[role="option"]',
      '[role="tab"]',
      'label:has(> input[type="radio"])',
      'label:has(> input[type="checkbox"])',
    ].join(',');
    return [...document.querySelectorAll<HTMLElement>(selector)].flatMap((element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') return [];
      if (box.width >= min && box.height >= min) return [];
      const label = 'labels' in element ? (element as HTMLInputElement).labels?.[0]?.textContent : null;
      const name = element.getAttribute('aria-label') ?? label ?? element.textContent?.trim() ?? '';
      return [
        `${element.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`,
      ];
    });
  }, MIN_TARGET_PX);
}

test.describe('touch targets', () => {
  test('are at least 44 px on every work area a manager can open', async ({ page }) => {
    await openLane(page, 'e2e-targets');
    await expect.poll(() => smallTargets(page)).toEqual([]);
    await signIn(page, '1001', '1234');
    await openShift(page, '100');
    expect(await smallTargets(page)).toEqual([]);

    await page.getByRole('button', { name: /^Sell/ }).click();
    await scan(page, '4000000000013');
    const line = page.getByRole('button', { name: /^Smooth Bread family size, 1, €/ });
    await line.click();
    expect(await smallTargets(page)).toEqual([]);
    for (const action of ['Sale discount', 'Customer', 'Exchange']) {
      await page.getByRole('button', { name: action, exact: true }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      expect(await smallTargets(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog')).toHaveCount(0);
    }
    await page.keyboard.press('F10');
    await expect(page.getByRole('region', { name: 'Payment' })).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: /^Returns/ }).click();
    await expect(page.getByRole('heading', { name: 'Returns' })).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);

    await page.getByRole('button', { name: /^Stock/ }).click();
    const tabs = page.getByRole('tablist', { name: 'Stock tasks' });
    for (const tab of await tabs.getByRole('tab').all()) {
      await tab.click();
      expect(await smallTargets(page)).toEqual([]);
    }

    await page.getByRole('button', { name: /^Shift/ }).click();
    await expect(page.getByText(/^Open since/)).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);

    await page.getByRole('button', { name: /^Pickup orders/ }).click();
    await expect(page.getByRole('heading', { name: /Pickup orders/ })).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);

    await page.getByRole('button', { name: /^Staff/ }).click();
    await expect(page.getByRole('list', { name: 'Staff members' })).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);
  });
});
