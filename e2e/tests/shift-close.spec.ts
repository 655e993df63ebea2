import { expect, test } from '@playwright/test';
import { openLane, openShift, signIn } from '../support/till';

test.describe('shift close', () => {
  test('moves cash in, reads the X report and closes with a counted drawer into a Z report', async ({
    page,
  }) => {
    await openLane(page, 'e2e-shift');
    await signIn(page, '3001', '3456');
    await openShift(page, '100');

    const movement = page.getByRole('form', { name: 'Cash in or out' });
    await movement.getByLabel('Cash in').check();
    await movement.getByLabel('Amount').fill('20');
    await movement.getByLabel('Reason').fill('Change from the safe');
    await page.keyboard.press('Enter');
    await expect(page.getByText('€20.00 put into the drawer.')).toBeVisible();

    await page.getByRole('button', { name: 'X report' }).click();
    const x = page.getByRole('region', { name: 'X report' });
    await expect(x.locator('div', { hasText: 'Expected in drawer' }).locator('dd')).toHaveText('€120.00');

    await page.getByRole('button', { name: 'Close shift' }).click();
    const count = page.getByRole('form', { name: 'Count the drawer' });
    await count.getByLabel('Number of €100.00').fill('1');
    await count.getByLabel('Number of €10.00').fill('1');
    await count.getByLabel('Number of €5.00').fill('1');
    await expect(count.getByTestId('counted-total')).toHaveText('Counted: €115.00');
    await count.getByRole('button', { name: 'Close shift with this count' }).click();

    const z = page.getByRole('region', { name: 'Z report' });
    // Rows by their exact term: "Discounted sales" also contains "counted".
    const row = (term: string) => z.locator('div').filter({ has: page.getByText(term, { exact: true }) });
    await expect(row('Counted').locator('dd')).toHaveText('€115.00');
    await expect(row('Short').locator('dd')).toHaveText('€5.00');
    await expect(page.getByLabel('Opening float')).toBeVisible();
  });
});
