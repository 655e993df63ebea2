import { expect, test, type Page } from '@playwright/test';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, startProduct, type RunningProduct } from '../support/product';
import { expectReachableWithoutScrolling } from '../support/reachable';
import { openLane as openStandaloneLane, openShift, scan, signIn } from '../support/till';

const VIEWPORTS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

async function openGiftCard(page: Page) {
  await page.getByRole('button', { name: 'Gift card', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Gift card: sell, reload or check' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/**
 * Gift cards at the till (issue 14) against the product as `npm start` runs it: HQ issues a card through
 * the hub's API; at each screen size a cashier checks its balance (held at the hub), reloads it, sells a
 * new card in the same sale, pays in cash, and once the sale reached HQ the new card holds its value when
 * checked at the till. Every dialog's primary action is on screen and clickable without scrolling.
 */
test.describe('gift cards at the till with the hub', () => {
  let product: RunningProduct;
  let token: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
    const hub = { url: product.hubUrl } as RunningHub;
    ({ token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: product.hq }));
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    await hubCall(hub, 'PUT', '/api/loyalty/stored-value-settings', {
      token,
      body: {
        currency: 'EUR',
        holdTtlMs: 600_000,
        offline: { maxSnapshotAgeMs: 86_400_000, perTransactionCap: eur(2000), perDeviceDayCap: eur(5000) },
      },
    });
    for (const viewport of VIEWPORTS) {
      await hubCall(hub, 'POST', '/api/loyalty/gift-cards', {
        token,
        body: {
          number: `60064910${viewport.width}0001`,
          issueId: `e2e-gc-${viewport.width}`,
          amount: 2500,
          currency: 'EUR',
        },
      });
    }
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  for (const viewport of VIEWPORTS) {
    test(`checks, reloads and sells gift cards at ${viewport.width}×${viewport.height}`, async ({ page }) => {
      test.setTimeout(120_000);
      const issued = `60064910${viewport.width}0001`;
      const sold = `60064920${viewport.width}0002`;
      await page.setViewportSize(viewport);
      await openProductLane(page, product, `e2e-gift-${viewport.width}`);
      await signIn(page, '3001', '3456');
      await openShift(page, '100');
      await page.getByRole('button', { name: /^Sell/ }).click();

      // A balance check starts no sale.
      let dialog = await openGiftCard(page);
      await dialog.getByLabel('Gift card number').fill(issued);
      await dialog.getByLabel('Gift card number').press('Enter');
      const status = dialog.getByRole('status', { name: 'Check balance' });
      await expect(status).toContainText('€25.00 available');
      await expect(status).toContainText(/As of .*\(now\)/);
      await expect(status).toContainText('Adding an amount reloads this card.');
      await dialog.getByLabel('Amount to load').fill('10');
      await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Add to sale' }));
      await dialog.getByRole('button', { name: 'Add to sale' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(
        page.getByRole('button', { name: /^Gift card \*\*\*\*0001 \(reload\), €10\.00$/ }),
      ).toBeVisible();

      dialog = await openGiftCard(page);
      await dialog.getByLabel('Gift card number').fill(sold);
      await dialog.getByLabel('Gift card number').press('Enter');
      await expect(dialog.getByRole('status', { name: 'Check balance' })).toHaveText(
        'HQ does not know this card yet: adding an amount sells it as a new card.',
      );
      await dialog.getByLabel('Amount to load').fill('20');
      await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Add to sale' }));
      await dialog.getByRole('button', { name: 'Add to sale' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(
        page.getByRole('button', { name: /^Gift card \*\*\*\*0002 \(new card\), €20\.00$/ }),
      ).toBeVisible();
      await expect(page.getByTestId('sale-total')).toHaveText('€30.00');

      const pay = page.getByRole('button', { name: /^Pay/ });
      await expectReachableWithoutScrolling(pay);
      await pay.click();
      const payment = page.getByRole('region', { name: 'Payment' });
      await payment.getByLabel('Cash handed over (empty = exact)').press('Enter');
      await expect(page.getByText('No change due')).toBeVisible();
      await expect(page.getByText(/^Receipt S001-1-\d{6}$/)).toBeVisible();

      // Once the sale reached HQ the card sold here holds its value, wherever it is checked.
      await page.getByRole('button', { name: 'Next customer' }).click();
      dialog = await openGiftCard(page);
      await dialog.getByLabel('Gift card number').fill(sold);
      await expect
        .poll(
          async () => {
            await dialog.getByRole('button', { name: 'Check balance' }).click();
            return (await dialog.getByRole('status', { name: 'Check balance' }).textContent()) ?? '';
          },
          { timeout: 30_000 },
        )
        .toContain('€20.00 available');
      await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Cancel' }));
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
    });
  }
});

/** The standalone store node of global-setup has no hub: the dialog says what that means. */
test('a gift card check without the hub says where the answer came from', async ({ page }) => {
  await page.setViewportSize(VIEWPORTS[0]);
  await openStandaloneLane(page, 'e2e-gift-offline');
  await signIn(page, '3001', '3456');
  await openShift(page, '100');
  await page.getByRole('button', { name: /^Sell/ }).click();
  await scan(page, '4000000000013');
  const dialog = await openGiftCard(page);
  await expect(dialog.getByRole('note')).toHaveText(
    'The hub is out of reach: balances come from this till’s copy, and a card sold or reloaded now gets its value when HQ receives the sale.',
  );
  await dialog.getByLabel('Gift card number').fill('6006493333333333');
  await dialog.getByLabel('Gift card number').press('Enter');
  const status = dialog.getByRole('status', { name: 'Check balance' });
  await expect(status).toContainText('This card is not known at this till and the hub did not answer.');
  await expect(status).toContainText('Adding an amount sells it as a new card');
  await expectReachableWithoutScrolling(dialog.getByRole('button', { name: 'Add to sale' }));
});
