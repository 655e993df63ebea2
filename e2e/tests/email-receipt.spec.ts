import { expect, test } from '@playwright/test';
import { startMailServer, type RunningMailServer } from '../support/mail-server';
import { openProductLane, startProduct, type RunningProduct } from '../support/product';
import { openShift, scan, signIn } from '../support/till';

/**
 * The product as `npm start` runs it, with a mail server: a cashier completes a cash sale and e-mails its
 * receipt from the completed-sale panel. The till records the request, the hub renders the receipt from
 * its own record of the sale and sends it; the customer's mailbox receives it. At each supported screen
 * size the address field and its Send button are on screen without scrolling.
 */
test.describe('e-mailed receipts', () => {
  let product: RunningProduct;
  let smtp: RunningMailServer;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    smtp = await startMailServer();
    product = await startProduct({ smtpPort: smtp.port });
  });

  test.afterAll(async () => {
    await product?.stop();
    await smtp?.close();
  });

  for (const [width, height] of [
    [1024, 768],
    [1366, 768],
    [1920, 1080],
  ] as const) {
    test(`a receipt e-mailed at ${width}×${height} reaches the customer`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await openProductLane(page, product, `e2e-mail-${width}`);
      await signIn(page, '3001', '3456');
      await openShift(page, '100');
      await page.getByRole('button', { name: /^Sell/ }).click();
      await scan(page, '4000000000013');
      await expect(page.getByRole('button', { name: /^Smooth Bread family size, 1, €/ })).toBeVisible();
      await page.keyboard.press('F10');
      await page
        .getByRole('region', { name: 'Payment' })
        .getByLabel('Cash handed over (empty = exact)')
        .press('Enter');
      const receipt = page.getByText(/^Receipt S001-1-\d{6}$/);
      await expect(receipt).toBeVisible();
      const receiptNumber = (await receipt.textContent())!.replace(/^Receipt /, '');

      await page.getByRole('button', { name: 'E-mail receipt' }).click();
      const form = page.getByRole('group', { name: `E-mail receipt ${receiptNumber}` });
      const address = form.getByRole('textbox', { name: "Customer's e-mail address" });
      const customer = `customer-${width}@example.com`;
      await address.fill(customer);
      await expect(address).toBeInViewport();
      await expect(form.getByRole('button', { name: 'Send' })).toBeInViewport();
      await address.press('Enter');
      await expect(
        form.getByText(`Receipt ${receiptNumber} for ${customer} was sent to the hub, which e-mails it.`),
      ).toBeVisible({ timeout: 30_000 });

      // Sent by the hub's delivery runtime once the sale and the request have reached it.
      await expect
        .poll(() => smtp.mails.filter((mail) => mail.to.includes(customer)).length, { timeout: 60_000 })
        .toBe(1);
      const mail = smtp.mails.find((entry) => entry.to.includes(customer))!;
      expect(mail.raw).toContain(`Subject: Your receipt ${receiptNumber} from`);
    });
  }
});
