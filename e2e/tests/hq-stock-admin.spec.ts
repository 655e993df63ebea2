import { expect, test } from '@playwright/test';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, signInToDashboard, startProduct, type RunningProduct } from '../support/product';
import { signIn } from '../support/till';

interface Level {
  readonly nodeId: string;
  readonly sellable: number;
  readonly damaged: number;
  readonly incoming: number;
}
interface NodeRow {
  readonly nodeId: string;
  readonly code: string;
  readonly name: string;
}

/**
 * Issue 16 point 4 (stock, devices, keys, webhooks): against the product as `npm start` runs it, HQ
 * adjusts stock and sees the figure, ships a transfer from the warehouse that the store's till books in
 * by its number, renames a till, creates an API key, narrows its scopes and revokes it (the same key is
 * refused each time), and adds a webhook endpoint.
 */
test.describe('stock and administration from the HQ dashboard', () => {
  let product: RunningProduct;
  let hub: RunningHub;
  let token: string;
  let sku: string;
  let barcode: string;
  let store: NodeRow;
  let warehouse: NodeRow;

  const levelAt = async (nodeId: string): Promise<Level> => {
    const [level] = await hubCall<Level[]>(hub, 'GET', `/api/inventory?sku=${sku}&nodeId=${nodeId}`, {
      token,
    });
    return level ?? { nodeId, sellable: 0, damaged: 0, incoming: 0 };
  };

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
    hub = { url: product.hubUrl } as RunningHub;
    ({ token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: product.hq }));
    const nodes = await hubCall<NodeRow[]>(hub, 'GET', '/api/nodes', { token });
    store = nodes.find((node) => node.nodeId === 'store-1')!;
    warehouse = nodes.find((node) => node.nodeId === 'warehouse-1')!;
    const [stocked] = await hubCall<{ sku: string }[]>(
      hub,
      'GET',
      '/api/inventory?nodeId=warehouse-1&limit=1',
      {
        token,
      },
    );
    sku = stocked!.sku;
    const item = await hubCall<{ barcodes: string[] }>(hub, 'GET', `/api/catalog/skus/${sku}`, { token });
    barcode = item.barcodes[0] ?? sku;
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  test('adjust, transfer to a till, rename it, and manage an API key and a webhook', async ({
    page,
    context,
  }) => {
    test.setTimeout(240_000);
    await signInToDashboard(page, product, `/inventory?sku=${encodeURIComponent(sku)}`);
    const storeLabel = `${store.code} ${store.name}`;
    const warehouseLabel = `${warehouse.code} ${warehouse.name}`;

    // Adjust: two damaged units at the store, on the figure the screen shows.
    const damagedBefore = (await levelAt(store.nodeId)).damaged;
    const adjust = page.getByRole('form', { name: `Adjust stock of ${sku}` });
    await adjust.getByLabel('Store or warehouse').selectOption({ label: storeLabel });
    await adjust.getByLabel('Bucket').selectOption({ label: 'Damaged' });
    await expect(adjust).toContainText(`Now at ${storeLabel}: ${damagedBefore} (Damaged)`);
    await adjust.getByLabel('Change (+ adds, − removes)').fill('2');
    await adjust.getByLabel('Reason').selectOption({ label: 'Damaged' });
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await expect(adjust.getByRole('status')).toContainText('adjusted by +2 (Damaged)');
    await expect(adjust).toContainText(`Now at ${storeLabel}: ${damagedBefore + 2} (Damaged)`);
    expect((await levelAt(store.nodeId)).damaged).toBe(damagedBefore + 2);

    // Transfer: three units from the warehouse to the store, under the tills' kind of number.
    const storeBefore = await levelAt(store.nodeId);
    const warehouseBefore = await levelAt(warehouse.nodeId);
    const transfer = page.getByRole('form', { name: `Transfer ${sku} between stores and warehouses` });
    await transfer.getByLabel('From').selectOption({ label: warehouseLabel });
    await expect(transfer).toContainText(`Sellable at ${warehouseLabel}: ${warehouseBefore.sellable}`);
    await transfer.getByLabel('To').selectOption({ label: storeLabel });
    await transfer.getByLabel('Quantity').fill('3');
    await transfer.getByRole('button', { name: 'Ship transfer' }).click();
    const shipped = transfer.getByRole('status', { name: 'Transfer number' });
    await expect(shipped).toContainText(`on its way to ${storeLabel}`);
    const number = (await shipped.locator('.transfer-number').textContent()) ?? '';
    expect(number).toBe(`T-${warehouse.code}-0-000001`);
    await expect(transfer).toContainText(`Sellable at ${warehouseLabel}: ${warehouseBefore.sellable - 3}`);
    expect((await levelAt(store.nodeId)).incoming).toBe(storeBefore.incoming + 3);

    // The store's till books the transfer in by its number, and the hub settles it.
    const till = await context.newPage();
    await openProductLane(till, product, 'e2e-hq-stock');
    await signIn(till, '3001', '3456');
    await till.getByRole('button', { name: /^Stock/ }).click();
    await till
      .getByRole('tablist', { name: 'Stock tasks' })
      .getByRole('tab', { name: 'Transfer in' })
      .click();
    await till.getByLabel('Transfer number').fill(number);
    await till.getByRole('combobox', { name: 'Scan or search an item' }).fill(barcode);
    await till.keyboard.press('Enter');
    const qty = till.getByLabel(/^Quantity of /);
    await expect(qty).toBeVisible();
    await qty.fill('3');
    await till.getByRole('button', { name: 'Receive transfer' }).click();
    await expect(async () => {
      const [sent] = await hubCall<{ transferId: string; status: string }[]>(
        hub,
        'GET',
        `/api/transfers?nodeId=${store.nodeId}`,
        { token },
      );
      expect(sent).toMatchObject({ transferId: number, status: 'received' });
    }).toPass({ timeout: 60_000 });
    const storeAfter = await levelAt(store.nodeId);
    expect(storeAfter.sellable).toBe(storeBefore.sellable + 3);
    expect(storeAfter.incoming).toBe(storeBefore.incoming);

    // Rename the till.
    await page.goto(`${product.hubUrl}/stores`);
    await page.getByRole('button', { name: new RegExp(`^Rename ${store.code} .* till 1 `) }).click();
    const rename = page.getByRole('form', { name: new RegExp(`^Rename ${store.code} `) });
    await rename.getByLabel('New name').fill('Front lane');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Renamed' })).toHaveText(
      'Renamed to Front lane.',
    );
    await expect(page.getByRole('table', { name: 'Devices' })).toContainText(
      `${storeLabel} till 1 (Front lane)`,
    );

    // An API key: shown once, works, then refused once revoked.
    await page.goto(`${product.hubUrl}/integrations`);
    const newKey = page.getByRole('form', { name: 'New API key' });
    await newKey.getByLabel('Name').fill('e2e stock reader');
    await newKey.getByRole('checkbox', { name: 'inventory:read' }).check();
    await newKey.getByRole('button', { name: 'Create API key' }).click();
    const key =
      (await page.getByRole('group', { name: 'The new API key' }).locator('code').textContent()) ?? '';
    expect(key).toMatch(/^hk_/);
    expect(
      (await hubCall<Level[]>(hub, 'GET', `/api/inventory?sku=${sku}`, { token: key })).length,
    ).toBeGreaterThan(0);
    const keys = page.getByRole('table', { name: 'API keys' });
    // Its scopes changed in place: the same key is now refused what it no longer may do.
    await keys.getByRole('button', { name: 'Change e2e stock reader' }).click();
    const change = page.getByRole('form', { name: 'Change API key e2e stock reader' });
    await change.getByLabel('Name').fill('e2e catalog reader');
    await change.getByRole('checkbox', { name: 'inventory:read' }).uncheck();
    await change.getByRole('checkbox', { name: 'catalog:read' }).check();
    await change.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('API key e2e catalog reader now has: catalog:read.')).toBeVisible();
    await expect(keys.getByRole('row', { name: /e2e catalog reader/ })).toContainText('catalog:read');
    const narrowed = await fetch(`${hub.url}/api/inventory?sku=${sku}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(narrowed.status).toBe(403);
    await keys.getByRole('button', { name: 'Revoke e2e catalog reader' }).click();
    await expect(keys.getByRole('row', { name: /e2e catalog reader/ })).toContainText('Revoked');
    const refused = await fetch(`${hub.url}/api/inventory?sku=${sku}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(401);

    // A webhook endpoint, with its secret shown once and its delivery state listed.
    const newHook = page.getByRole('form', { name: 'New webhook endpoint' });
    await newHook.getByLabel('Name').fill('e2e ERP');
    await newHook.getByLabel('URL').fill('http://127.0.0.1:9/hooks');
    await newHook.getByLabel(/Event types/).fill('stock.*');
    await newHook.getByRole('button', { name: 'Add webhook endpoint' }).click();
    await expect(page.getByRole('group', { name: 'Signing secret of e2e ERP' })).toContainText('whsec_');
    const hooks = page.getByRole('table', { name: 'Webhook subscriptions' });
    await expect(hooks.getByRole('row', { name: /e2e ERP/ })).toContainText('stock.*');

    // Every change is on the HQ audit log.
    const audit = await hubCall<{ action: string }[]>(
      hub,
      'GET',
      '/api/audit?actor=' + encodeURIComponent(`user:${product.hq.username}`) + '&limit=200',
      { token },
    );
    const actions = new Set(audit.map((entry) => entry.action));
    for (const action of [
      'adjustments.create',
      'transfers.create',
      'devices.rename',
      'api-keys.create',
      'api-keys.update',
      'api-keys.delete',
      'integration.subscriptions.create',
    ]) {
      expect(actions, action).toContain(action);
    }
  });
});
