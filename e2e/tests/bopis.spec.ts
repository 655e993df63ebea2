import { expect, test } from '@playwright/test';
import { E2E_BOPIS_ORDER } from '../support/bopis-fixture';
import { openLane, scan, signIn } from '../support/till';

test.describe('bopis', () => {
  test('picks an online order by scanning, marks it ready and hands it over by pickup code', async ({
    page,
  }) => {
    await openLane(page, 'e2e-bopis');
    await signIn(page, '3001', '3456');
    const nav = page.getByRole('navigation', { name: 'Work areas' });
    await expect(nav.getByRole('button', { name: /Pickup orders 1/ })).toBeVisible();
    await page.keyboard.press('F5');

    const entry = page.getByRole('listitem', {
      name: `Order ${E2E_BOPIS_ORDER.orderNumber} for ${E2E_BOPIS_ORDER.customerName}`,
    });
    await expect(entry).toContainText('Accept');
    await expect(entry).toContainText(/2 lines · 3 units · waiting \d+ min/);
    await entry.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('button', { name: 'Accept order' }).click();
    await page.getByRole('button', { name: 'Start picking' }).click();

    const scanField = page.getByLabel('Scan each item as you pick it');
    await expect(scanField).toBeFocused();
    await scan(page, '4000000000037');
    await expect(page.getByRole('alert')).toBeVisible();
    for (const line of E2E_BOPIS_ORDER.lines) {
      for (let unit = 0; unit < line.qty; unit += 1) await scan(page, line.barcode);
    }
    const ready = page.getByRole('button', { name: 'Mark ready for pickup' });
    await expect(ready).toBeEnabled();
    await ready.click();
    await expect(
      page.getByText(`Order ${E2E_BOPIS_ORDER.orderNumber} is ready; the customer is told.`),
    ).toBeVisible();

    await page.getByRole('tab', { name: 'Customer pickup' }).click();
    await page.getByLabel('Pickup code', { exact: true }).fill(E2E_BOPIS_ORDER.pickupCode.toLowerCase());
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Hand over' }).click();
    await expect(
      page.getByText(`Order ${E2E_BOPIS_ORDER.orderNumber} handed over (pickup code checked).`),
    ).toBeVisible();
  });
});
