import { expect, type Page } from '@playwright/test';
import { openShift, scan, signIn } from './till';

/**
 * What `npm run desktop:check` does in the Electron window, written once: sign in, open a shift, ring up a
 * sale paid in exact cash, and print its receipt. `tests/desktop-check-steps.spec.ts` runs the same steps
 * in Chromium on every CI run, so the check cannot drift from the till's screens unnoticed where Electron
 * is not available.
 */
export interface RungUpSale {
  readonly receiptNumber: string;
  /** The receipt as the node laid it out (the preview's document), for printing to PDF. */
  readonly receiptHtml: string;
}

export async function ringUpCashSale(page: Page): Promise<RungUpSale> {
  await signIn(page, '3001', '3456');
  await openShift(page, '100');
  await page.getByRole('button', { name: /^Sell/ }).click();
  await expect(page.getByRole('combobox', { name: 'Scan or search' })).toBeFocused();
  await scan(page, '4000000000013');
  await expect(page.getByRole('region', { name: 'Cart' }).locator('[data-line-id]')).toHaveCount(1);
  await page.keyboard.press('F10');
  const payment = page.getByRole('region', { name: 'Payment' });
  await expect(payment).toBeVisible();
  await payment.getByLabel('Cash handed over (empty = exact)').fill('');
  await page.keyboard.press('Enter');
  const receiptHeading = page.getByText(/^Receipt S001-1-\d{6}$/);
  await expect(receiptHeading).toBeVisible();
  const receiptNumber = (await receiptHeading.textContent())?.replace('Receipt ', '') ?? '';
  await page.getByRole('button', { name: 'Print receipt' }).click();
  await expect(page.getByRole('button', { name: 'Print a copy' })).toBeVisible();
  const receiptHtml = await page.locator(`iframe[title="Receipt ${receiptNumber}"]`).getAttribute('srcdoc');
  if (!receiptHtml) throw new Error('The receipt preview holds no receipt.');
  return { receiptNumber, receiptHtml };
}
