import { expect, test } from '@playwright/test';
import { cents, euros, openLane, openShift, scan, signIn } from '../support/till';

test.describe('sell', () => {
  test('scans two items, takes cash with change and prints the receipt', async ({ page }) => {
    await openLane(page, 'e2e-sell');
    await signIn(page, '3001', '3456');
    await openShift(page, '100');
    await page.getByRole('button', { name: /^Sell/ }).click();

    const scanField = page.getByRole('combobox', { name: 'Scan or search' });
    await expect(scanField).toBeFocused();
    await scan(page, '4000000000013');
    await scan(page, '2*4000000000020');
    const cart = page.getByRole('region', { name: 'Cart' });
    await expect(cart.locator('[data-line-id]')).toHaveCount(2);
    await expect(cart.getByRole('button', { name: /^Smooth Bread family size, 1, €/ })).toBeVisible();
    await expect(cart.getByRole('button', { name: /^Smooth Bread 6 pack, 2, €/ })).toBeVisible();
    const total = cents(await page.getByTestId('sale-total').textContent());
    expect(total).toBeGreaterThan(0);

    await page.keyboard.press('F10');
    const payment = page.getByRole('region', { name: 'Payment' });
    await expect(payment).toBeVisible();
    const handed = Math.ceil((total + 1) / 5000) * 5000;
    await payment.getByLabel('Cash handed over (empty = exact)').fill(String(handed / 100));
    await page.keyboard.press('Enter');

    await expect(page.getByText(`Change due: ${euros(handed - total)}`)).toBeVisible();
    const receiptText = page.getByText(/^Receipt S001-1-\d{6}$/);
    await expect(receiptText).toBeVisible();
    const receiptNumber = (await receiptText.textContent())?.replace('Receipt ', '') ?? '';
    const preview = page.frameLocator(`iframe[title="Receipt ${receiptNumber}"]`);
    await expect(preview.getByText('Casey Cashier', { exact: false })).toBeVisible();
    await expect(preview.getByText(euros(total)).first()).toBeVisible();

    await page.getByRole('button', { name: 'Print receipt' }).click();
    await expect(page.getByRole('button', { name: 'Print a copy' })).toBeVisible();

    await page.getByRole('button', { name: 'Next customer' }).click();
    await expect(cart.getByText('Scan an item to start a sale.')).toBeVisible();

    // Receipt lookup (Shift+F4): the sale is among this till's recent receipts and reprints as a COPY.
    await page.keyboard.press('Shift+F4');
    const lookup = page.getByRole('dialog', { name: 'Find a receipt' });
    await expect(lookup.getByLabel('Scan or type the receipt number')).toBeFocused();
    await lookup.getByRole('button', { name: new RegExp(`^${receiptNumber} · `) }).click();
    const copy = page.frameLocator(`iframe[title="Receipt ${receiptNumber} (copy)"]`);
    await expect(copy.getByText('COPY', { exact: false }).first()).toBeVisible();
    await lookup.getByRole('button', { name: 'Print a copy' }).click();
    await expect(lookup.getByText(`Copy of receipt ${receiptNumber} printed.`)).toBeVisible();
    // A receipt this till does not hold needs the hub, which this node does not have.
    await lookup.getByLabel('Scan or type the receipt number').fill('S009-1-000001');
    await page.keyboard.press('Enter');
    await expect(lookup.getByRole('alert')).toContainText('S009-1-000001 was not made on this till');
    await page.keyboard.press('Escape');
    await expect(lookup).toBeHidden();
  });
});
