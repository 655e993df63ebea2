import { expect, test } from '@playwright/test';
import { cents, euros, openLane, openShift, scan, signIn } from '../support/till';

test.describe('return', () => {
  test('returns one item of a receipt and refunds it in cash', async ({ page }) => {
    await openLane(page, 'e2e-return');
    await signIn(page, '3002', '4567');
    await openShift(page, '50');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await scan(page, '3*4000000000037');
    const line = page.getByRole('button', { name: /^Smooth Bread 1 l, 3, €/ });
    await expect(line).toBeVisible();
    const paid = cents(await line.locator('.cart-line-paid').textContent());
    await page.keyboard.press('F10');
    await page
      .getByRole('region', { name: 'Payment' })
      .getByLabel('Cash handed over (empty = exact)')
      .press('Enter');
    const receiptNumber = ((await page.getByText(/^Receipt S001-1-\d{6}$/).textContent()) ?? '').replace(
      'Receipt ',
      '',
    );

    await page.getByRole('button', { name: /^Returns/ }).click();
    await page.getByLabel('Receipt number (scan the receipt barcode)').fill(receiptNumber);
    await page.keyboard.press('Enter');
    const items = page.getByRole('list', { name: 'Items' });
    await expect(items.getByText(`sold 3, paid ${euros(paid)}`)).toBeVisible();
    await items.getByLabel('Quantity of Smooth Bread 1 l coming back').fill('1');
    await items.getByLabel('Condition of Smooth Bread 1 l').selectOption('damaged');
    await page.getByRole('button', { name: 'Return the chosen items' }).click();

    const done = page.getByText(/^Refund €[\d,.]+ · return receipt S001-1-\d{6}$/);
    await expect(done).toBeVisible();
    const refunded = cents(await done.textContent());
    // A refund is what the line actually paid for one of three units: a third, rounded by the node.
    expect(Math.abs(refunded * 3 - paid)).toBeLessThanOrEqual(2);
    await expect(page.getByRole('list', { name: 'Refunds' })).toContainText(`Cash${euros(refunded)}`);

    await page.getByRole('button', { name: 'Next return' }).click();
    await page.getByLabel('Receipt number (scan the receipt barcode)').fill(receiptNumber);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Return all of Smooth Bread 1 l' }).click();
    await page.getByRole('button', { name: 'Return the chosen items' }).click();
    await expect(page.getByRole('alert')).toContainText('return at most 2');
  });
});
