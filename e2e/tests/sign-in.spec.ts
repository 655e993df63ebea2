import { expect, test } from '@playwright/test';
import { openLane, signIn } from '../support/till';

test.describe('sign in', () => {
  test('a cashier signs in on the PIN pad, sees their role, locks the till and unlocks it', async ({
    page,
  }) => {
    await openLane(page, 'e2e-sign-in');
    const pad = page.getByRole('group', { name: 'Staff code keypad' });
    for (const digit of '3001') await pad.getByRole('button', { name: digit, exact: true }).click();
    await pad.getByRole('button', { name: 'Enter' }).click();
    await page.getByRole('textbox', { name: 'PIN' }).fill('9999');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert')).toContainText('Staff code or PIN is wrong.');
    const pinPad = page.getByRole('group', { name: 'PIN keypad' });
    for (const digit of '3456') await pinPad.getByRole('button', { name: digit, exact: true }).click();
    await pinPad.getByRole('button', { name: 'Enter' }).click();
    await expect(page.getByLabel('Signed in as Casey Cashier, Cashier')).toBeVisible();
    await expect(page.getByRole('status', { name: 'Sync status' })).toContainText('Store node connected');

    await page.keyboard.press('F9');
    await expect(page.getByRole('heading', { name: 'Till locked' })).toBeVisible();
    await page.getByRole('textbox', { name: 'PIN' }).fill('3456');
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('Signed in as Casey Cashier, Cashier')).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, '1001', '1234');
    await expect(page.getByLabel('Signed in as Morgan Manager, Manager')).toBeVisible();
  });
});
