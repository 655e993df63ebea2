import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, signInToDashboard, startProduct, type RunningProduct } from '../support/product';
import { openShift, scan, signIn } from '../support/till';

const BREAD = '4000000000013';
const RENAMED = 'Sourdough loaf (HQ e2e)';
/** Enough rows that reading them takes the hub a while, so the progress bar has something to show. */
const IMPORT_ROWS = 30_000;
const BAD_LINE = 3;

function importFile(): Buffer {
  const lines = ['sku,product_id,name,unit,tax_category,barcodes'];
  for (let row = 1; row <= IMPORT_ROWS; row += 1) {
    const id = String(row).padStart(6, '0');
    // Line 3 of the file (the second data row) sells in boxes, a unit the catalog does not have.
    lines.push(
      `E2E-${id},E2E-P-${id},Import item ${id},${lines.length + 1 === BAD_LINE ? 'box' : 'each'},food,`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * Issue 16 point 4 (catalog): HQ edits an item in the dashboard at the version it saw, imports a CSV with
 * one bad line (a progress bar while it runs, then the rejected line, its column and why, downloadable),
 * and a till of the store sells the item under the name HQ gave it — against the product as `npm start`
 * runs it (`pos-hub serve` and an enrolled store node).
 */
test.describe('catalog from the HQ dashboard', () => {
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

  test('edit an item, import a CSV with a bad line, see the edit at a till', async ({ page, context }) => {
    test.setTimeout(240_000);
    await signInToDashboard(page, product, `/catalog`);

    await page.getByLabel('Name, SKU or barcode').fill(BREAD);
    await page.getByRole('button', { name: 'Search' }).click();
    const items = page.getByRole('table', { name: 'Catalog items' });
    await expect(items.getByRole('row')).toHaveCount(2);
    await expect(items.getByRole('row', { name: new RegExp(sku) })).toContainText('Smooth Bread family size');
    await page.getByRole('button', { name: `Edit ${sku}` }).click();
    const form = page.getByRole('form', { name: new RegExp(`^Edit ${sku} \\(version \\d+\\)$`) });
    await form.getByLabel('Name').fill(RENAMED);
    await form.getByRole('button', { name: 'Save item' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'saved' })).toContainText(
      new RegExp(`^${sku} saved \\(version \\d+\\)`),
    );
    await expect(items.getByRole('row', { name: new RegExp(sku) })).toContainText(RENAMED);

    const upload = page.getByRole('form', { name: 'Import a CSV file' });
    await upload.getByLabel('CSV file').setInputFiles({
      name: 'e2e-items.csv',
      mimeType: 'text/csv',
      buffer: importFile(),
    });
    await upload.getByRole('button', { name: 'Import' }).click();
    await expect(upload.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
    await expect(upload.getByRole('status')).toContainText(/[\d,]+ rows read/);
    const rejected = upload.getByRole('table', { name: 'Rejected rows' });
    await expect(rejected).toBeVisible({ timeout: 120_000 });
    await expect(upload.getByRole('alert')).toHaveText(
      'Nothing was imported: 1 row was rejected. Fix them and import the file again.',
    );
    await expect(rejected.getByRole('row')).toHaveCount(2);
    await expect(rejected.getByRole('row').nth(1)).toContainText(new RegExp(`^${BAD_LINE}unitunit:`));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      upload.getByRole('button', { name: 'Download the rejected rows (CSV)' }).click(),
    ]);
    const report = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(report[0]).toBe('line,column,reason');
    expect(report[1]).toMatch(new RegExp(`^${BAD_LINE},unit,`));
    expect(report).toHaveLength(2);
    // All or nothing: the good rows of the refused file are not in the catalog.
    await page.getByLabel('Name, SKU or barcode').fill('E2E-');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByText('No items match.')).toBeVisible();

    // The till of store S001 gets the new name through its feed.
    const till = await context.newPage();
    await openProductLane(till, product, 'e2e-hq-catalog');
    await signIn(till, '3001', '3456');
    await openShift(till, '100');
    await till.getByRole('button', { name: /^Sell/ }).click();
    await expect(async () => {
      await till.keyboard.press('Shift+F3');
      const dialog = till.getByRole('dialog', { name: 'Price check' });
      await till.keyboard.type(BREAD);
      await till.keyboard.press('Enter');
      const result = dialog.getByRole('region', { name: 'Price check result' });
      const heading = result.getByRole('heading', { level: 3 });
      await expect(heading).toBeVisible();
      const name = await heading.textContent();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
      expect(name).toBe(RENAMED);
    }).toPass({ timeout: 60_000 });
    await scan(till, BREAD);
    await expect(
      till.getByRole('button', { name: new RegExp(`^${RENAMED.replace(/[()]/g, '\\$&')}, 1, €`) }),
    ).toBeVisible();
  });
});
