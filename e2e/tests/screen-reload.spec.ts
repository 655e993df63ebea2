import { expect, test } from '@playwright/test';
import { openLane, openShift, scan, signIn } from '../support/till';

/**
 * What the desktop shell's watchdog does to a crashed or hung screen is a reload of the page (see
 * apps/pos-desktop/src/main/renderer-watchdog.ts). The open sale lives in the store node, so the reloaded
 * screen, once someone signs in, shows the sale as it was.
 */
test.describe('screen reload', () => {
  test('keeps the open sale: after a reload and sign-in the cart and total are back', async ({ page }) => {
    await openLane(page, 'e2e-reload');
    await signIn(page, '3001', '3456');
    await openShift(page, '50');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await expect(page.getByRole('combobox', { name: 'Scan or search' })).toBeFocused();
    await scan(page, '4000000000013');
    await scan(page, '3*4000000000020');
    const cart = page.getByRole('region', { name: 'Cart' });
    await expect(cart.locator('[data-line-id]')).toHaveCount(2);
    const total = await page.getByTestId('sale-total').textContent();

    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await signIn(page, '3001', '3456');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await expect(cart.locator('[data-line-id]')).toHaveCount(2);
    await expect(cart.getByRole('button', { name: /^Smooth Bread 6 pack, 3, €/ })).toBeVisible();
    await expect(page.getByTestId('sale-total')).toHaveText(total ?? '');
  });
});
