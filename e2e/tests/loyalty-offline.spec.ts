import { expect, test } from '@playwright/test';
import { openLane, openShift, scan, signIn } from '../support/till';

/**
 * The e2e store node has no hub: every loyalty answer comes from the node's own rules for an unreachable
 * hub. A customer created at the till gets a temporary id, and a gift card this till never saw online is
 * refused with the node's OFFLINE_LIMIT sentence; the cashier takes another tender and the sale completes.
 */
test.describe('loyalty offline', () => {
  test('creates a customer at the till offline, is refused an unknown gift card, and takes cash instead', async ({
    page,
  }) => {
    await openLane(page, 'e2e-loyalty-offline');
    await signIn(page, '3001', '3456');
    await openShift(page, '100');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await scan(page, '2*4000000000013');
    await expect(page.getByRole('button', { name: /^Smooth Bread family size, 2, €/ })).toBeVisible();

    await page.getByRole('button', { name: 'Customer', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Customer' });
    await dialog.getByLabel('Phone, email or loyalty card number').fill('+353861234567');
    await dialog.getByLabel('Phone, email or loyalty card number').press('Enter');
    await expect(dialog.getByText('No customer found for “+353861234567”. Create one below.')).toBeVisible();
    const form = dialog.getByRole('form', { name: 'New customer' });
    await form.getByLabel('Name (optional)').fill('Dana Walk-in');
    await form.getByLabel('Phone').fill('+353861234567');
    await form.getByRole('button', { name: 'Create and attach' }).click();
    await expect(dialog).toHaveCount(0);
    const panel = page.getByRole('region', { name: 'Customer and points' });
    await expect(panel.getByText('Dana Walk-in')).toBeVisible();
    await expect(panel).toContainText('created at a till offline; HQ will confirm it');

    await page.keyboard.press('F10');
    const payment = page.getByRole('region', { name: 'Payment' });
    await expect(payment.getByRole('button', { name: 'Pay with points' })).toBeDisabled();
    await payment.getByRole('button', { name: 'Pay with gift card' }).click();
    const giftCard = page.getByRole('dialog', { name: 'Pay with a gift card' });
    await giftCard.getByLabel('Card or store credit number').fill('6006491234567890');
    await giftCard.getByRole('button', { name: 'Check balance' }).click();
    await expect(giftCard.getByRole('alert')).toContainText('the hub did not answer');
    await giftCard.getByLabel('Amount').fill('2');
    await giftCard.getByRole('button', { name: 'Take gift card' }).click();
    await expect(giftCard.getByRole('alert')).toHaveText(
      'This gift card has not been checked at this till while the hub was reachable, so it cannot be used offline. Take another tender.',
    );
    const prompt = giftCard.getByRole('status');
    await expect(prompt).toContainText('Choose another tender for the rest');
    await prompt.getByRole('button', { name: 'Choose another tender' }).click();
    await expect(giftCard).toHaveCount(0);

    await payment.getByLabel('Cash handed over (empty = exact)').press('Enter');
    await expect(page.getByText('No change due')).toBeVisible();
    await expect(page.getByText(/^Receipt S001-1-\d{6}$/)).toBeVisible();
  });
});
