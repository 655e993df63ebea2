import { expect, type Locator } from '@playwright/test';

/**
 * Issue 14, bug 3: on a 1024×768 or 1366×768 till the primary action of every step must be on screen and
 * clickable as it is: not below the fold, not under the status bar, not clipped inside a dialog that scrolls.
 */
export async function expectReachableWithoutScrolling(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const where = await locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    return {
      inViewport: box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth,
      onTop: hit !== null && (hit === element || element.contains(hit)),
      at: `${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)} in ${innerWidth}×${innerHeight}`,
      covering: hit === null || hit === element || element.contains(hit) ? null : hit.outerHTML.slice(0, 80),
    };
  });
  expect(where, `${await locator.textContent()} at ${where.at}`).toMatchObject({
    inViewport: true,
    onTop: true,
  });
}
