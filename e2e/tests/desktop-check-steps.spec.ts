import { expect, test } from '@playwright/test';
import { ringUpCashSale } from '../support/desktop-check-steps';
import { openLane } from '../support/till';

test.describe('desktop:check steps', () => {
  test('ring up a cash sale and print it, as the Electron check does, in the browser', async ({ page }) => {
    await openLane(page, 'e2e-desktop-check');
    const { receiptNumber, receiptHtml } = await ringUpCashSale(page);
    expect(receiptNumber).toMatch(/^S001-1-\d{6}$/);
    expect(receiptHtml).toContain(receiptNumber);
    expect(receiptHtml).toContain('Casey Cashier');
  });
});
