import { expect, test } from '@playwright/test';
import { cents, euros, nodeUrl, openLane, openShift, scan, signIn } from '../support/till';

test.describe('customer display', () => {
  test('pairs with a code from the Lanes screen and follows the till: lines, total, change, no staff', async ({
    page,
    browser,
  }) => {
    const register = 'e2e-display';
    await openLane(page, register);
    await signIn(page, '1001', '1234');

    // The manager creates a display code for this register on the Lanes screen.
    await page.getByRole('button', { name: /^Lanes/ }).click();
    const form = page.getByRole('form', { name: 'Pair a customer display' });
    await expect(form.getByLabel('Register whose sale it shows')).toHaveValue(register);
    await form.getByRole('button', { name: 'Create a pairing code' }).click();
    const shown = page.getByRole('region', { name: 'Pairing code for Customer display' });
    const code = (await shown.getByLabel('Pairing code').textContent()) ?? '';
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    // The display is another device: its own browser context (its own storage), the node's /display page.
    const displayContext = await browser.newContext();
    const display = await displayContext.newPage();
    const pageResponse = await display.goto(`${nodeUrl().url}/display`);
    expect(pageResponse?.headers()['x-frame-options']).toBe('DENY');
    expect(pageResponse?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect(
      display.getByRole('heading', { name: 'Pair this customer display with the store node' }),
    ).toBeVisible();
    await display.getByLabel('Pairing code').fill(code.toLowerCase());
    await display.keyboard.press('Enter');
    await expect(display.getByRole('heading', { name: /^Welcome/ })).toBeVisible();

    // The Lanes screen lists the display as soon as it paired.
    await expect(
      page
        .getByRole('list', { name: 'Paired lanes and displays' })
        .getByRole('listitem', { name: 'Customer display' }),
    ).toBeVisible();

    await openShift(page, '100');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await scan(page, '4000000000013');
    await scan(page, '2*4000000000020');
    // Read the till's total only once it includes the second scan: the display must match that figure.
    await expect(page.getByRole('button', { name: /^Smooth Bread 6 pack, 2, €/ })).toBeVisible();
    const total = cents(await page.getByTestId('sale-total').textContent());

    const lines = display.getByRole('list', { name: 'Items' });
    await expect(lines.getByRole('listitem')).toHaveCount(2);
    await expect(lines.getByRole('listitem', { name: 'Smooth Bread 6 pack' })).toContainText('2');
    await expect(display.getByLabel('Total', { exact: true })).toHaveText(euros(total));

    await page.keyboard.press('F10');
    const handed = Math.ceil((total + 1) / 5000) * 5000;
    await page
      .getByRole('region', { name: 'Payment' })
      .getByLabel('Cash handed over (empty = exact)')
      .fill(String(handed / 100));
    await page.keyboard.press('Enter');
    await expect(page.getByText(`Change due: ${euros(handed - total)}`)).toBeVisible();
    await expect(display.getByLabel('Your change')).toHaveText(euros(handed - total));
    await expect(display.getByText('Thank you!')).toBeVisible();

    // Nothing about who is serving: the display never received staff data.
    await expect(display.locator('body')).not.toContainText('Morgan');

    // The next sale clears it.
    await page.getByRole('button', { name: 'Next customer' }).click();
    await scan(page, '4000000000013');
    await expect(display.getByRole('list', { name: 'Items' }).getByRole('listitem')).toHaveCount(1);
    await displayContext.close();
  });
});
