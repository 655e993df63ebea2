import { expect, test, type Page } from '@playwright/test';
import { expectReachableWithoutScrolling } from '../support/reachable';
import { openLane, openShift, scan, signIn } from '../support/till';

async function attachNewCustomer(page: Page, phone: string): Promise<void> {
  await page.getByRole('button', { name: 'Customer', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Customer' });
  await dialog.getByLabel('Phone, email or loyalty card number').fill(phone);
  await dialog.getByLabel('Phone, email or loyalty card number').press('Enter');
  const form = dialog.getByRole('form', { name: 'New customer' });
  await expectReachableWithoutScrolling(form.getByRole('button', { name: 'Create and attach' }));
  await form.getByLabel('Name (optional)').fill('Robin Smallscreen');
  await form.getByLabel('Phone').fill(phone);
  await form.getByRole('button', { name: 'Create and attach' }).click();
  await expect(dialog).toHaveCount(0);
}

test.describe('small screens', () => {
  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 1366, height: 768 },
  ]) {
    test(`keeps every primary action on screen at ${viewport.width}×${viewport.height}`, async ({ page }) => {
      await page.setViewportSize(viewport);
      await openLane(page, `e2e-small-${viewport.width}`);
      await signIn(page, '3001', '3456');
      await openShift(page, '100');
      await page.getByRole('button', { name: /^Sell/ }).click();
      await scan(page, '4000000000013');
      await scan(page, '4000000000020');
      await scan(page, '4000000000037');
      const cart = page.getByRole('region', { name: 'Cart' });
      await expect(cart.locator('[data-line-id]')).toHaveCount(3);
      await attachNewCustomer(page, `+3538612${viewport.width}`);
      await expect(page.getByRole('region', { name: 'Customer and points' })).toBeVisible();
      await expectReachableWithoutScrolling(page.getByRole('button', { name: /^Pay/ }));

      // A cashier's price change asks a manager: the override dialog with its PIN pad.
      await cart.getByRole('button', { name: /^Smooth Bread family size, 1, €/ }).click();
      await page.getByRole('button', { name: 'Change price' }).click();
      const price = page.getByRole('dialog', { name: /^New price for/ });
      await expectReachableWithoutScrolling(price.getByRole('button', { name: 'Apply' }));
      await page.keyboard.type('1.00');
      await price.getByLabel('Reason').fill('Damaged packaging');
      await price.getByRole('button', { name: 'Apply' }).click();
      const override = page.getByRole('dialog', { name: 'Manager authorization' });
      await expectReachableWithoutScrolling(override.getByRole('button', { name: 'Authorize' }));
      await override.getByRole('button', { name: 'Cancel' }).click();
      await price.getByRole('button', { name: 'Cancel' }).click();

      await page.keyboard.press('F10');
      const payment = page.getByRole('region', { name: 'Payment' });
      await expect(payment).toBeVisible();
      await expectReachableWithoutScrolling(payment.getByRole('button', { name: 'Take cash' }));
      await expectReachableWithoutScrolling(payment.getByRole('button', { name: 'Take card' }));
      await expectReachableWithoutScrolling(payment.getByRole('button', { name: 'Pay with gift card' }));
      await payment.getByRole('button', { name: 'Take cash' }).click();
      await expect(page.getByText('No change due')).toBeVisible();
      await expectReachableWithoutScrolling(page.getByRole('button', { name: 'Next customer' }));
      await page.getByRole('button', { name: 'Next customer' }).click();

      // Receipt lookup with a receipt shown (its 480 px preview): Print a copy stays on screen.
      await page.keyboard.press('Shift+F4');
      const lookup = page.getByRole('dialog', { name: 'Find a receipt' });
      await lookup
        .getByRole('button', { name: /^S001-1-\d{6} · / })
        .first()
        .click();
      await expect(lookup.locator('iframe.receipt-frame')).toBeVisible();
      await expectReachableWithoutScrolling(lookup.getByRole('button', { name: 'Print a copy' }));
      await page.keyboard.press('Escape');
    });
  }
});
