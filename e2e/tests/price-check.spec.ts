import { expect, test } from '@playwright/test';
import { openProductLane, startProduct, type RunningProduct } from '../support/product';
import { expectReachableWithoutScrolling } from '../support/reachable';
import { openLane, openShift, signIn } from '../support/till';

/**
 * Price check (issue 14) against the real store node: Shift+F3 on the sell screen, a scanned barcode, the
 * price, promotions and stock here, and no sale started; at the smallest supported screen.
 */
test('checks a price with Shift+F3 without starting a sale', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await openLane(page, 'e2e-price-check');
  await signIn(page, '3001', '3456');
  await openShift(page, '100');
  await page.getByRole('button', { name: /^Sell/ }).click();
  await expect(page.getByRole('combobox', { name: 'Scan or search' })).toBeFocused();

  await page.keyboard.press('Shift+F3');
  const dialog = page.getByRole('dialog', { name: 'Price check' });
  await expect(dialog).toBeVisible();
  await page.keyboard.type('4000000000013');
  await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Check price' }));
  await page.keyboard.press('Enter');
  const result = dialog.getByRole('region', { name: 'Price check result' });
  await expect(result.getByRole('heading', { name: 'Smooth Bread family size' })).toBeVisible();
  await expect(result.getByTestId('price-check-price')).toHaveText(/^€\d+\.\d{2}$/);
  await expect(result.getByTestId('price-check-stock')).toHaveText(
    /^In stock here: \d+ \(this till’s copy\)$/,
  );
  // This store node has no hub: other stores' stock is HQ's to tell.
  await expect(result.getByTestId('price-check-nearby')).toHaveText(
    'Stock at other stores is not available offline.',
  );
  await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Close' }));
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  // Nothing was rung up.
  await expect(page.getByText('Scan an item to start a sale.')).toBeVisible();
});

/**
 * With the product as `npm start` runs it (a hub that knows the four demo stores' places, store-2 holding
 * 12 of the first items), the price check lists the other stores' stock nearest first, as HQ has it, at
 * each supported screen size.
 */
test.describe('price check with the hub', () => {
  let product: RunningProduct;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
  ]) {
    test(`shows stock at nearby stores at ${viewport.width}×${viewport.height}`, async ({ page }) => {
      await page.setViewportSize(viewport);
      await openProductLane(page, product, `e2e-price-nearby-${viewport.width}`);
      await signIn(page, '3001', '3456');
      await openShift(page, '100');
      await page.getByRole('button', { name: /^Sell/ }).click();
      await expect(page.getByRole('combobox', { name: 'Scan or search' })).toBeFocused();
      await page.keyboard.press('Shift+F3');
      const dialog = page.getByRole('dialog', { name: 'Price check' });
      await page.keyboard.type('4000000000013');
      await page.keyboard.press('Enter');
      const result = dialog.getByRole('region', { name: 'Price check result' });
      const nearby = result.getByRole('list', { name: 'Other stores' });
      // Store 3 is 3.6 km from store 1, store 4 4.0 km, store 2 4.6 km; the warehouse is no store.
      await expect(nearby.getByRole('listitem')).toHaveText([
        'S003 Store 3: 0 available (0 on hand) · 3.6 km',
        'S004 Store 4: 0 available (0 on hand) · 4 km',
        'S002 Store 2: 12 available (12 on hand) · 4.6 km',
      ]);
      await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Close' }));
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(page.getByText('Scan an item to start a sale.')).toBeVisible();
    });
  }
});
