import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DRAWER_AMOUNT, MAX_STOCK_QTY, withGtinCheckDigit } from '@retail/domain';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import type { Result } from '@retail/domain';
import type { StoreEngine } from '../src/engine/engine';
import {
  HAM_BY_WEIGHT,
  HQ_ADMIN,
  backendKinds,
  listExceptions,
  signedInOperator,
  startTestHub,
  until,
  WIDGET as WIDGET_ITEM,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectError, expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * The limits a till enforces, end to end against the real hub (in-process, 127.0.0.1, both backends):
 * HQ sets the write-off a cashier may record through the settings API and the till follows it through its
 * feed; everything the till accepts at its bounds, and every approval it records, reaches the hub without
 * a single event refused. The scale label rules and the receipts' legal header reach it the same way.
 */

const WIDGET = WIDGET_ITEM.barcode;
const KEY = 'pos.stock.countWriteOffApprovalLimit';

describe.each(backendKinds())('till limits against the hub on %s', (kind) => {
  let world: TestHub;
  let till: TestTill;
  let storage: Storage;
  let hubUrl: string;
  let adminToken: string;
  let engine: StoreEngine;
  const sessions: Record<'manager' | 'supervisor' | 'cashier', string> = {
    manager: '',
    supervisor: '',
    cashier: '',
  };

  function run<N extends CommandName>(
    who: keyof typeof sessions,
    name: N,
    input: CommandInput<N>,
  ): Result<CommandResponse<N>> {
    return engine.execute(name, input, { session: sessions[who] });
  }

  beforeAll(async () => {
    world = await startTestHub({
      kind,
      stores: ['store-a'],
      items: [WIDGET_ITEM, HAM_BY_WEIGHT],
      priceBookActor: 'hq',
    });
    storage = world.storage;
    hubUrl = world.url;
    adminToken = await signedInOperator(world.hub, HQ_ADMIN);
    till = await openTestTill(world, {
      storeId: 'store-a',
      storeCode: 'SA',
      dirPrefix: 'till-limits-',
      setup: { cashRoundingIncrement: 1 },
    });
    engine = till.engine;
    sessions.manager = till.session;
    for (const [staffCode, role, pin] of [
      ['S1', 'supervisor', '2222'],
      ['C1', 'cashier', '1111'],
    ] as const) {
      expectOk(run('manager', 'staff-create', { staffCode, name: `${role} ${staffCode}`, role, pin }));
      sessions[role] = expectOk(engine.execute('staff-sign-in', { staffCode, pin })).session;
    }
    await until(
      'the till has the catalog',
      () => run('manager', 'catalog-scan', { code: WIDGET }).ok || undefined,
    );
  });

  afterAll(async () => {
    await till?.close();
    await world?.close();
  });

  it('follows the write-off limit HQ sets, and asks a supervisor for a cashier count beyond it', async () => {
    const response = await fetch(`${hubUrl}/api/settings/${KEY}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: { kind: 'chain' }, value: 1_000, expectedVersion: 0 }),
    });
    expect(response.status).toBe(200);
    await until(
      'the till has the limit',
      () => engine.settings().countWriteOffApprovalLimit === 1_000 || undefined,
    );

    expectOk(
      run('cashier', 'stock-receive', {
        source: { type: 'supplier', reference: 'PO-1' },
        lines: [{ sku: 'WIDGET', qty: 10 }],
      }),
    );
    // Three widgets at 5.00 are 15.00: more than the 10.00 HQ allows a cashier.
    const refused = expectError(
      run('cashier', 'stock-count', { sku: 'WIDGET', expectedQty: 10, countedQty: 7 }),
      'OVERRIDE_REQUIRED',
    );
    expect(refused.message).toContain('a cashier may write off up to 10,00');
    const approval = expectOk(
      run('cashier', 'staff-override', {
        managerCode: 'S1',
        managerPin: '2222',
        action: 'stock-count-write-off',
        reason: 'Broken in the stockroom',
      }),
    );
    expect(
      expectOk(
        run('cashier', 'stock-count', {
          sku: 'WIDGET',
          expectedQty: 10,
          countedQty: 7,
          overrideId: approval.overrideId,
        }),
      ).difference,
    ).toBe(-3);
  });

  it('brings what the till accepted at its bounds and with approvals to the hub, none of it refused', async () => {
    expectOk(
      run('cashier', 'stock-receive', {
        source: { type: 'supplier', reference: 'PO-2' },
        lines: [{ sku: 'WIDGET', qty: MAX_STOCK_QTY }],
      }),
    );
    expectOk(run('cashier', 'shift-open', { float: MAX_DRAWER_AMOUNT }));
    // A discount the cashier gave within the limit, then the quantity lowered: a supervisor approves it.
    let sale = expectOk(run('cashier', 'sale-start', {}));
    sale = expectOk(run('cashier', 'sale-add-line', { saleId: sale.saleId, code: WIDGET, qty: 10 }));
    const lineId = sale.lines[0]!.lineId;
    expectOk(
      run('cashier', 'sale-discount-line', { saleId: sale.saleId, lineId, discount: { amount: 500 } }),
    );
    expectOk(run('cashier', 'sale-set-qty', { saleId: sale.saleId, lineId, qty: 5 }));
    expectOk(
      run('cashier', 'sale-add-tender', { saleId: sale.saleId, tender: { type: 'cash', amount: 2_000 } }),
    );
    expectError(run('cashier', 'sale-complete', { saleId: sale.saleId }), 'OVERRIDE_REQUIRED');
    const approval = expectOk(
      run('cashier', 'staff-override', {
        managerCode: 'S1',
        managerPin: '2222',
        action: 'discount-over-limit',
        reason: 'Customer took five of ten',
      }),
    );
    expectOk(run('cashier', 'sale-complete', { saleId: sale.saleId, overrideId: approval.overrideId }));
    // A manager gives one away: the sale costs nothing and completes.
    let free = expectOk(run('cashier', 'sale-start', {}));
    free = expectOk(run('cashier', 'sale-add-line', { saleId: free.saleId, code: WIDGET }));
    expectOk(run('manager', 'sale-discount-order', { saleId: free.saleId, discount: { percent: 100 } }));
    expect(expectOk(run('cashier', 'sale-complete', { saleId: free.saleId })).totals.total).toBe(0);
    expectOk(run('cashier', 'shift-x-report', {}));

    await until('every event reached the hub', () => {
      const status = expectOk(engine.execute('sync-status', {}));
      return status.pendingEvents === 0 && status.lastAckedSeq === status.lastDeviceSeq ? status : undefined;
    });
    expect(expectOk(engine.execute('sync-status', {})).rejected ?? []).toEqual([]);
    expect(await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 100 })).toEqual([]);
    const sales = await storage.db
      .selectFrom('sales')
      .select('sale_id')
      .where('node_id', '=', 'store-a')
      .execute();
    expect(sales).toHaveLength(2);
    const balance = await storage.db
      .selectFrom('stock_balances')
      .select('sellable')
      .where('node_id', '=', 'store-a')
      .where('sku', '=', 'WIDGET')
      .executeTakeFirstOrThrow();
    expect(Number(balance.sellable)).toBe(10 - 3 + MAX_STOCK_QTY - 5 - 1);
  });

  it('scans scale labels and prints the legal header once HQ publishes them as store settings (issue 14)', async () => {
    const put = (key: string, value: unknown, expectedVersion = 0) =>
      fetch(`${hubUrl}/api/settings/${key}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: { kind: 'chain' }, value, expectedVersion }),
      });
    const label = withGtinCheckDigit('211234500734');
    expectError(run('cashier', 'catalog-scan', { code: label }), 'UNKNOWN_BARCODE');

    const rule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 };
    expect((await put('pos.scan.variableMeasureRules', [rule])).status).toBe(200);
    const legal = {
      companyName: 'Retail Example SAS',
      address: ['12 rue de la Roquette', '75011 Paris'],
      vatNumber: 'FR40123456789',
    };
    expect((await put('pos.receipt.legalHeader', legal)).status).toBe(200);
    expect((await put('pos.receipt.legalHeader', { ...legal, vatNumber: 'FR\u001b' }, 1)).status).toBe(400);
    await until(
      'the till has the label rules and the legal header',
      () =>
        (engine.settings().labelRules.length === 1 &&
          run('cashier', 'catalog-scan', { code: label }).ok &&
          engine.db.prepare("SELECT 1 FROM config WHERE key = 'pos.receipt.legalHeader'").get() !==
            undefined) ||
        undefined,
    );

    if (expectOk(run('cashier', 'shift-current', {})).shift === null) {
      expectOk(run('cashier', 'shift-open', { float: 10_000 }));
    }
    let sale = expectOk(run('cashier', 'sale-start', {}));
    sale = expectOk(run('cashier', 'sale-add-line', { saleId: sale.saleId, code: label }));
    // 734 g of ham at 24.90/kg.
    expect(sale.lines[0]).toMatchObject({ sku: 'HAM', qty: 734, extended: 1_828 });
    expectOk(
      run('cashier', 'sale-add-tender', {
        saleId: sale.saleId,
        tender: { type: 'cash', amount: sale.payment.cashDue },
      }),
    );
    const done = expectOk(run('cashier', 'sale-complete', { saleId: sale.saleId }));
    const { receipt, html } = expectOk(
      run('cashier', 'receipt-preview', { receiptNumber: done.receiptNumber ?? '' }),
    );
    expect(receipt.legal).toEqual({ ...legal, extraLines: [] });
    expect(html).toContain('VAT FR40123456789');
    expect(html).toContain('Retail Example SAS');
  });
});
