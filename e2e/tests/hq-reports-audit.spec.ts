import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { hubCall, prepareHubDatabase, startHub, type RunningHub } from '../support/hub-server';

const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };
const SKU = 'SKU-RED-M';

/**
 * A till's day reaches HQ: a sale, a post-voided sale, a no-sale drawer opening and a closed shift pushed
 * by an enrolled device; HQ reads the sales analysis with its charts and CSV, and finds the void and the
 * drawer opening in the audit log by store and kind.
 */
test.describe('HQ reports and audit search', () => {
  let hub: RunningHub;
  let day: string;

  test.beforeAll(async () => {
    hub = await startHub({ prepare: (db) => prepareHubDatabase(db, OPERATOR) });
    const { token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: OPERATOR });
    const [node] = await hubCall<{ nodeId: string }[]>(hub, 'GET', '/api/nodes', { token });
    const { code } = await hubCall<{ code: string }>(
      hub,
      'POST',
      `/api/nodes/${node!.nodeId}/enrollment-codes`,
      {
        token,
        body: {},
      },
    );
    const device = await hubCall<{ deviceId: string; storeId: string; credential: string }>(
      hub,
      'POST',
      '/sync/enroll',
      { body: { code, deviceName: 'lane-1' } },
    );
    const now = Date.now();
    const at = new Date(now - 60_000).toISOString();
    day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Dublin' }).format(now - 60_000);
    let seq = 0;
    const event = (type: string, payload: unknown) => {
      seq += 1;
      return {
        eventId: randomUUID(),
        type,
        schemaVersion: 1,
        storeId: device.storeId,
        deviceId: device.deviceId,
        deviceSeq: seq,
        hlc: `${String(now).padStart(18, '0')}:${String(seq).padStart(5, '0')}:${device.deviceId}`,
        occurredAt: at,
        txId: randomUUID(),
        payload,
      };
    };
    const sale = (receiptNumber: string, paid: number) => ({
      saleId: randomUUID(),
      receiptNumber,
      shiftId: 'shift-e2e',
      staffId: 'cashier-e2e',
      currency: 'EUR',
      priceBookVersion: 'pb@1',
      promotionIds: [],
      promotions: [],
      lines: [
        {
          lineId: randomUUID(),
          sku: SKU,
          name: 'Red T-shirt M',
          qty: 1,
          unit: 'each',
          taxCategory: 'standard',
          unitPrice: paid,
          taxInclusive: true,
          priceSource: 'price_book',
          extended: paid,
          adjustments: [],
          net: paid,
          taxes: [],
          paid,
        },
      ],
      totals: { subtotal: paid, discount: 0, tax: 0, total: paid, cashRounding: 0, paid, change: 0 },
      tenders: [{ tenderId: randomUUID(), type: 'cash', amount: paid }],
      overrides: [],
      movements: [{ movementId: randomUUID(), sku: SKU, type: 'POS_SALE', bucket: 'sellable', delta: -1 }],
      completedAt: at,
    });
    const kept = sale('S001-1-1', 1_500);
    const voided = sale('S001-1-2', 900);
    const ack = await hubCall<{ results: { status: string; reason?: string }[] }>(hub, 'POST', '/sync/push', {
      token: device.credential,
      body: {
        deviceId: device.deviceId,
        storeId: device.storeId,
        events: [
          event('shift.opened', {
            shiftId: 'shift-e2e',
            staffId: 'cashier-e2e',
            currency: 'EUR',
            float: 10_000,
            openedAt: at,
          }),
          event('sale.completed', kept),
          event('sale.completed', voided),
          event('sale.voided', {
            saleId: voided.saleId,
            receiptNumber: voided.receiptNumber,
            reason: 'Rang up twice',
            override: { managerId: 'manager-e2e', reason: 'post-void', at },
            currency: 'EUR',
            refunds: [{ tenderId: randomUUID(), type: 'cash', amount: 900 }],
            movements: [
              { movementId: randomUUID(), sku: SKU, type: 'POS_VOID', bucket: 'sellable', delta: 1 },
            ],
            voidedAt: at,
          }),
          event('drawer.opened', {
            openingId: randomUUID(),
            shiftId: 'shift-e2e',
            registerId: 'main',
            staffId: 'manager-e2e',
            reason: 'no-sale',
            openedAt: at,
          }),
          event('shift.closed', {
            shiftId: 'shift-e2e',
            staffId: 'cashier-e2e',
            currency: 'EUR',
            float: 10_000,
            expectedCash: 11_500,
            countedCash: 11_450,
            overShort: -50,
            denominations: [{ value: 11_450, count: 1 }],
            totals: { sales: 1_500, returns: 0, cashIn: 0, cashOut: 0, byTender: { cash: 1_500 } },
            closedAt: at,
          }),
        ],
      },
    });
    expect(ack.results.map((result) => result.status)).toEqual(Array(6).fill('accepted'));
  });

  test.afterAll(async () => {
    await hub?.stop();
  });

  test('HQ reads the day by store, cashier and shift with charts, downloads a table, and finds the void in the audit log', async ({
    page,
  }) => {
    await page.goto(`${hub.url}/reports`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const byDay = page.getByRole('table', { name: 'Sales by store and day' });
    await expect(byDay.getByRole('row', { name: new RegExp(day) })).toContainText('S001');
    await expect(byDay.getByRole('row', { name: new RegExp(day) })).toContainText('15.00');
    await expect(page.getByText(/Revenue by day/)).toBeVisible();
    await expect(page.locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expect(page.getByRole('table', { name: 'Sales by cashier' })).toContainText('cashier-e2e');
    const shift = page
      .getByRole('table', { name: 'Shifts (Z reports)' })
      .getByRole('row', { name: /shift-e2e/ });
    await expect(shift).toContainText('0.50');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV: Shifts (Z reports)' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\r\n')[0]).toContain('over_short');
    expect(csv).toContain('shift-e2e');
    expect(csv).toContain(',-50');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await expect(audit.getByRole('row', { name: /nodes\.enrollment-codes/ })).toContainText(
      'user:hq.operator',
    );
    await page.getByLabel('Kind').selectOption({ label: 'Store: voids' });
    await page.getByLabel('Store').selectOption({ label: 'S001 · Dublin Grafton St' });
    const voidRow = audit.getByRole('row', { name: /store\.void/ });
    await expect(voidRow).toContainText('staff:manager-e2e');
    await expect(voidRow).toContainText('Rang up twice');
    await expect(audit.getByRole('row', { name: /store\.drawer-open/ })).toHaveCount(0);
    await page.getByLabel('Kind').selectOption({ label: 'Store: drawer openings' });
    await expect(audit.getByRole('row', { name: /store\.drawer-open/ })).toContainText('no-sale');
    await page.getByLabel('Who').fill('staff:cashier-e2e');
    await expect(page.getByText('No changes recorded yet.')).toBeVisible();
  });

  test('HQ finds a gift card by its last digits, reads its ledger and downloads it', async ({ page }) => {
    const { token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: OPERATOR });
    const { accountId } = await hubCall<{ accountId: string }>(hub, 'POST', '/api/loyalty/gift-cards', {
      token,
      body: { number: '6001000099994321', issueId: `issue-${randomUUID()}`, amount: 2_500, currency: 'EUR' },
    });
    await page.goto(`${hub.url}/reports`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByLabel('Search by account, last digits, card number or customer').fill('4321');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const accounts = page.getByRole('table', { name: 'Gift card and store credit accounts' });
    const card = accounts.getByRole('row', { name: /4321/ });
    await expect(card).toContainText(accountId);
    await expect(card).toContainText('25.00');
    await accounts.getByRole('button', { name: /Ledger of/ }).click();
    const ledger = page.getByRole('table', { name: /Ledger of/ });
    await expect(ledger.getByRole('row', { name: /Load/ })).toContainText('25.00');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Download CSV: Ledger of/ }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain('occurred_at,movement,type,amount');
    expect(csv).toContain(',load,ISSUE,2500,EUR,');
  });
});
