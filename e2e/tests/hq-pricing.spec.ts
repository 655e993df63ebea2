import { expect, test, type Page } from '@playwright/test';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, signInToDashboard, startProduct, type RunningProduct } from '../support/product';
import { cents, euros, openShift, scan, signIn } from '../support/till';

const BREAD = '4000000000013';
const BREAD_NAME = 'Smooth Bread family size';

/** `datetime-local` text in this machine's time zone (the browser's too), to the second. */
function localDateTime(at: number): string {
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** The price the till's price check (Shift+F3) shows for the bread right now. */
async function checkedPrice(till: Page): Promise<string> {
  await till.keyboard.press('Shift+F3');
  const dialog = till.getByRole('dialog', { name: 'Price check' });
  await till.keyboard.type(BREAD);
  await till.keyboard.press('Enter');
  const result = dialog.getByRole('region', { name: 'Price check result' });
  await expect(result.getByRole('heading', { name: BREAD_NAME })).toBeVisible();
  const price = (await result.getByTestId('price-check-price').textContent()) ?? '';
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  return price;
}

async function openTill(till: Page, product: RunningProduct, registerId: string): Promise<void> {
  await openProductLane(till, product, registerId);
  await signIn(till, '3001', '3456');
  await openShift(till, '100');
  await till.getByRole('button', { name: /^Sell/ }).click();
}

async function payCash(till: Page): Promise<void> {
  await till.keyboard.press('F10');
  await till
    .getByRole('region', { name: 'Payment' })
    .getByLabel('Cash handed over (empty = exact)')
    .press('Enter');
  await expect(till.getByText(/^Receipt S001-\d+-\d{6}$/)).toBeVisible();
}

/**
 * Issue 16, pricing edits against the product as `npm start` runs it (`pos-hub serve` and an enrolled
 * store node): HQ schedules a store price from the dashboard (form, preview of old → new per store,
 * publish at the version seen) and the till charges it once its start time has passed; HQ publishes a
 * promotion that is not a percentage and the till applies it.
 */
test.describe('pricing from the HQ dashboard', () => {
  let product: RunningProduct;
  let sku: string;
  let storeId: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
    const hub = { url: product.hubUrl } as RunningHub;
    const { token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: product.hq });
    ({ sku } = await hubCall<{ sku: string }>(hub, 'GET', `/api/catalog/barcodes/${BREAD}`, { token }));
    const nodes = await hubCall<{ nodeId: string; code: string }[]>(hub, 'GET', '/api/nodes', { token });
    storeId = nodes.find((node) => node.code === 'S001')?.nodeId ?? 'no S001';
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  test('schedule a store price a few seconds ahead, preview, publish, and the till charges it from then', async ({
    page,
    context,
  }) => {
    test.setTimeout(240_000);
    await signInToDashboard(page, product, '/pricing');
    await page.getByRole('button', { name: 'New price book' }).click();
    const form = page.getByRole('form', { name: 'New price book' });
    await form.getByLabel('Price book id').fill('e2e-s001-bread');
    await form.getByLabel('Name').fill('S001 bread offer');
    await form.getByLabel('Scope').selectOption(`store:${storeId}`);
    await form.getByLabel('Priority').fill('1000');
    // Far enough ahead for the remaining clicks on a loaded machine, near enough to wait for.
    const startsAt = Math.ceil((Date.now() + 30_000) / 1000) * 1000;
    await form.getByLabel('Starts (empty: now)').fill(localDateTime(startsAt));
    await form.getByLabel('SKU to price').fill(sku);
    await form.getByLabel('Its price').fill('0.77');
    await form.getByRole('button', { name: 'Add price' }).click();
    await form.getByRole('button', { name: 'Preview', exact: true }).click();

    const preview = form.getByRole('region', { name: 'Preview of version 1' });
    await expect(preview).toContainText('A new price book.');
    await expect(preview).toContainText(/Reaches 1 store\(s\): S001/);
    const row = preview
      .getByRole('table', { name: 'Price changes by store' })
      .getByRole('row', { name: new RegExp(BREAD_NAME) });
    await expect(row).toContainText('S001');
    await expect(row).toContainText('€0.77');
    await expect(row).toContainText('e2e-s001-bread');
    const cells = await row.getByRole('cell').allTextContents();
    const before = cells[1] ?? '';
    expect(cents(before)).not.toBe(77);
    await form.getByRole('button', { name: 'Publish version 1' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'was published' })).toContainText(
      'S001 bread offer was published as version 1',
    );
    await expect(
      page.getByRole('table', { name: 'Price books' }).getByRole('row', { name: /S001 bread offer/ }),
    ).toContainText('Store');

    const till = await context.newPage();
    await openTill(till, product, 'e2e-hq-pricing-1');
    // Until its start the till keeps charging the price it had; from then on, the scheduled one.
    const first = await checkedPrice(till);
    if (Date.now() < startsAt) expect(first).toBe(before);
    await expect(async () => {
      expect(await checkedPrice(till)).toBe('€0.77');
    }).toPass({ timeout: 120_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt);

    await scan(till, BREAD);
    await expect(till.getByRole('button', { name: `${BREAD_NAME}, 1, €0.77` })).toBeVisible();
    await payCash(till);
  });

  test('publish a multi-buy from the dashboard, sell at a till, see it applied', async ({
    page,
    context,
  }) => {
    test.setTimeout(240_000);
    await signInToDashboard(page, product, '/pricing');
    await page.getByRole('button', { name: 'New promotion' }).click();
    const form = page.getByRole('form', { name: 'New promotion' });
    await form.getByLabel('Promotion id').fill('e2e-bread-2-for');
    await form.getByLabel('Name').fill('Bread 2 for 0.50');
    await form.getByLabel('Kind of promotion').selectOption('multi_buy');
    await form.getByLabel('Units in the group').fill('2');
    await form.getByLabel('Price of the group').fill('0.50');
    await form.getByLabel('Items (SKUs, separated by commas)').fill(sku);
    await form.getByRole('button', { name: 'Preview', exact: true }).click();
    const preview = form.getByRole('region', { name: 'Preview of version 1' });
    await expect(preview).toContainText('A new promotion.');
    await expect(preview).toContainText(/Reaches \d+ store\(s\): .*S001/);
    await expect(preview.getByRole('list', { name: 'Items' })).toContainText(BREAD_NAME);
    await form.getByRole('button', { name: 'Publish version 1' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'was published' })).toContainText(
      'Bread 2 for 0.50 was published as version 1',
    );
    await expect(
      page.getByRole('table', { name: 'Promotions' }).getByRole('row', { name: /Bread 2 for 0.50/ }),
    ).toContainText('Multi-buy');

    const till = await context.newPage();
    await openTill(till, product, 'e2e-hq-pricing-2');
    await expect(async () => {
      await till.keyboard.press('Shift+F3');
      const dialog = till.getByRole('dialog', { name: 'Price check' });
      await till.keyboard.type(BREAD);
      await till.keyboard.press('Enter');
      const result = dialog.getByRole('region', { name: 'Price check result' });
      await expect(result.getByRole('heading', { name: BREAD_NAME })).toBeVisible();
      const applied = await result.getByText('Bread 2 for 0.50').count();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
      expect(applied).toBeGreaterThan(0);
    }).toPass({ timeout: 60_000 });

    await scan(till, BREAD);
    await scan(till, BREAD);
    // Two units for €0.50 together, whatever the bread costs at this store today.
    const line = till.getByRole('button', { name: new RegExp(`^${BREAD_NAME}, 2, €`) });
    await expect(line).toBeVisible();
    const unit = cents(await line.textContent().then((text) => /× (€[\d.,]+)/.exec(text ?? '')?.[1] ?? null));
    await expect(line).toHaveAccessibleName(`${BREAD_NAME}, 2, ${euros(50)}`);
    await expect(till.getByRole('listitem').filter({ hasText: /^Promotion: 2 for 0\.50/ })).toContainText(
      `−${euros(2 * unit - 50)}`,
    );
    await payCash(till);
  });
});
