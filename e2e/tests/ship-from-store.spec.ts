import { expect, test } from '@playwright/test';
import { E2E_SHIP_ORDER } from '../support/bopis-fixture';
import { openLane, scan, signIn } from '../support/till';

test.describe('ship from store', () => {
  test('picks a ship-to-home order by scanning, packs it into weighed parcels and ships it, keyboard only', async ({
    page,
  }) => {
    await openLane(page, 'e2e-ship');
    await signIn(page, '3001', '3456');
    const nav = page.getByRole('navigation', { name: 'Work areas' });
    await expect(nav.getByRole('button', { name: /Pickup orders/ })).toBeVisible();
    await page.keyboard.press('F5');
    await expect(page.getByRole('heading', { name: 'Pickup orders' })).toBeVisible();
    await page.getByRole('tab', { name: 'Ship to home' }).click();

    const entry = page.getByRole('listitem', {
      name: `Order ${E2E_SHIP_ORDER.orderNumber} for ${E2E_SHIP_ORDER.customerName}`,
    });
    await expect(entry).toContainText('Pick');
    await entry.getByRole('button', { name: 'Open' }).click();
    const { shipTo } = E2E_SHIP_ORDER;
    await expect(
      page.getByText(
        `Ship to ${shipTo.name}, ${shipTo.line1}, ${shipTo.postalCode} ${shipTo.city}, ${shipTo.country}`,
      ),
    ).toBeVisible();

    await expect(page.getByLabel('Scan each item as you pick it')).toBeFocused();
    for (const line of E2E_SHIP_ORDER.lines) await scan(page, line.barcode);

    // Every line picked: the parcel weights come next, the first field focused.
    const firstParcel = page.getByLabel('Parcel 1 weight (kg)');
    await expect(firstParcel).toBeFocused();
    await page.keyboard.type('heavy');
    await page.keyboard.press('Enter');
    const weightError = page.getByText(
      'Weigh parcel 1: enter its weight in kg, such as 1.25 (at most 70 kg).',
    );
    await expect(weightError).toBeVisible();
    await expect(firstParcel).toHaveAttribute(
      'aria-describedby',
      (await weightError.getAttribute('id')) ?? '',
    );
    await firstParcel.fill('0,9');
    await page.getByRole('button', { name: 'Add a parcel' }).click();
    await expect(page.getByLabel('Parcel 2 weight (kg)')).toBeFocused();
    await page.keyboard.type('1.2');
    await page.keyboard.press('Enter');
    await expect(page.getByText(`Order ${E2E_SHIP_ORDER.orderNumber} packed in 2 parcels.`)).toBeVisible();
    await expect(page.getByText('Packed in 2 parcels: 0.9 kg, 1.2 kg')).toBeVisible();

    // Carrier, then the tracking number as a scanner types it; a short one is caught next to its field.
    await expect(page.getByLabel('Carrier')).toBeFocused();
    await page.keyboard.type('UPS');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Tracking number (type or scan the label)')).toBeFocused();
    await scan(page, '1Z99');
    await expect(
      page.getByText('A tracking number is 8–40 letters and digits; scan the label again.'),
    ).toBeVisible();
    await page.getByLabel('Tracking number (type or scan the label)').fill('');
    await scan(page, '1z999 aa1 0123456784');
    await expect(
      page.getByText(`Order ${E2E_SHIP_ORDER.orderNumber} shipped with UPS, tracking 1Z999AA10123456784.`),
    ).toBeVisible();
    await expect(page.getByRole('button', { name: 'Ship' })).toHaveCount(0);
    // The till has no hub in this run: the shipment waits in the outbox, and the screen says so.
    await expect(page.getByText('Not confirmed by the hub yet')).toBeVisible();
  });
});
