import { expect, test } from '@playwright/test';
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
  await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Close' }));
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  // Nothing was rung up.
  await expect(page.getByText('Scan an item to start a sale.')).toBeVisible();
});
