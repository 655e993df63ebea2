import { expect, test } from '@playwright/test';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, signInToDashboard, startProduct, type RunningProduct } from '../support/product';
import { cents, euros, openShift, scan, signIn } from '../support/till';

const BREAD = '4000000000013';

/**
 * Issue 16: HQ publishes a promotion from the dashboard (a form, a preview of what changes where, then
 * publish at the version seen) against the product as `npm start` runs it (`pos-hub serve` and an
 * enrolled store node), and a till of that store sells the item with the promotion applied.
 */
test.describe('promotions from the HQ dashboard', () => {
  let product: RunningProduct;
  let sku: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
    const hub = { url: product.hubUrl } as RunningHub;
    const { token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: product.hq });
    ({ sku } = await hubCall<{ sku: string }>(hub, 'GET', `/api/catalog/barcodes/${BREAD}`, { token }));
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  test('publish a promotion from the dashboard, sell at a till, see it applied', async ({
    page,
    context,
  }) => {
    test.setTimeout(180_000);
    await signInToDashboard(page, product, `/pricing`);
    await page.getByRole('button', { name: 'New promotion' }).click();
    const form = page.getByRole('form', { name: 'New promotion' });
    await form.getByLabel('Promotion id').fill('e2e-bread-week');
    await form.getByLabel('Name').fill('Bread week');
    await form.getByLabel('Percent off').fill('25');
    await form.getByLabel('Items (SKUs, separated by commas)').fill(sku);
    await expect(form.getByRole('button', { name: 'Publish (preview first)' })).toBeDisabled();
    await form.getByRole('button', { name: 'Preview', exact: true }).click();

    const preview = form.getByRole('region', { name: 'Preview of version 1' });
    await expect(preview).toContainText('A new promotion.');
    await expect(preview).toContainText(/Reaches \d+ store\(s\): .*S001/);
    await expect(preview.getByRole('list', { name: 'Items' })).toContainText('Smooth Bread family size');
    await form.getByRole('button', { name: 'Publish version 1' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'was published' })).toContainText(
      'Bread week was published as version 1',
    );
    const listed = page.getByRole('table', { name: 'Promotions' }).getByRole('row', { name: /Bread week/ });
    await expect(listed).toContainText('Whole chain');

    // The till of store S001 gets it through its feed; its price check says so once it has.
    const till = await context.newPage();
    await openProductLane(till, product, 'e2e-hq-promotions');
    await signIn(till, '3001', '3456');
    await openShift(till, '100');
    await till.getByRole('button', { name: /^Sell/ }).click();
    await expect(async () => {
      await till.keyboard.press('Shift+F3');
      const dialog = till.getByRole('dialog', { name: 'Price check' });
      await till.keyboard.type(BREAD);
      await till.keyboard.press('Enter');
      const result = dialog.getByRole('region', { name: 'Price check result' });
      await expect(result.getByRole('heading', { name: 'Smooth Bread family size' })).toBeVisible();
      const applied = await result.getByText('Bread week').count();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
      expect(applied).toBeGreaterThan(0);
    }).toPass({ timeout: 60_000 });

    await scan(till, BREAD);
    // 25 % off the book price, shown on the line as the till words a percent-off promotion.
    const line = till.getByRole('button', { name: /^Smooth Bread family size, 1, €/ });
    await expect(line).toBeVisible();
    const full = cents(await line.textContent().then((text) => /× (€[\d.,]+)/.exec(text ?? '')?.[1] ?? null));
    await expect(line).toHaveAccessibleName(
      `Smooth Bread family size, 1, ${euros(full - Math.round(full / 4))}`,
    );
    await expect(till.getByRole('listitem').filter({ hasText: /^Promotion: 25% off/ })).toContainText(
      `−${euros(Math.round(full / 4))}`,
    );
    await till.keyboard.press('F10');
    await till
      .getByRole('region', { name: 'Payment' })
      .getByLabel('Cash handed over (empty = exact)')
      .press('Enter');
    await expect(till.getByText(/^Receipt S001-1-\d{6}$/)).toBeVisible();
  });
});
