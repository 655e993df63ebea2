import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WIDGET,
  backendKinds,
  listExceptions,
  lookupSale,
  startTestHub,
  eventually,
  type HubContext,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { openTestTill, untilSelling, type TestTill } from '../src/engine/testing/test-till';

/**
 * Returns anywhere (BORIS) end to end: the real hub in-process (127.0.0.1, both backends) and two real
 * store engines syncing over HTTP. A till that does not hold a receipt asks the hub for it and refunds to
 * the original tenders; the hub counts returns at every store against the sale, so the same line returned
 * twice raises one exception; offline, a receipt the till does not hold takes the no-receipt path.
 */

const WIDGET_BARCODE = WIDGET.barcode;

describe.each(backendKinds())('returns anywhere across real store engines and the hub on %s', (kind) => {
  let world: TestHub;
  let storage: Storage;
  let hub: HubContext;
  const stores = new Map<string, TestTill>();

  async function openStore(nodeId: string, code: string): Promise<TestTill> {
    const till = await openTestTill(world, {
      storeId: nodeId,
      storeCode: code,
      dirPrefix: `returns-${nodeId}-`,
    });
    stores.set(nodeId, till);
    return till;
  }

  const store = (nodeId: string) => stores.get(nodeId)!;

  async function online(at: TestTill): Promise<void> {
    at.engine.sync.start();
    await eventually(`${at.nodeId} is online`, () => at.engine.sync.online());
  }

  async function sell(at: TestTill, widgets: number, card?: string): Promise<string> {
    if ((await at.okAsync('shift-current', {})).shift === null)
      await at.okAsync('shift-open', { float: 10_000 });
    const sale = await at.okAsync('sale-start', {});
    for (let index = 0; index < widgets; index += 1)
      await at.okAsync('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    const view = await at.okAsync('sale-get', { saleId: sale.saleId });
    const tender =
      card === undefined
        ? ({ type: 'cash', amount: view.payment.cashDue } as const)
        : ({ type: 'card', amount: view.payment.remaining, reference: card } as const);
    await at.okAsync('sale-add-tender', { saleId: sale.saleId, tender });
    const done = await at.okAsync('sale-complete', { saleId: sale.saleId });
    return done.receiptNumber!;
  }

  async function rejectedReturnsOf(saleId: string) {
    const rejected = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 500 });
    return rejected.filter((row) => JSON.stringify(row.details).includes(saleId));
  }

  beforeAll(async () => {
    world = await startTestHub({ kind, stores: ['store-a', 'store-b'], items: [WIDGET] });
    ({ storage, hub } = world);
    for (const [nodeId, code] of [
      ['store-a', 'SA'],
      ['store-b', 'SB'],
    ] as const) {
      await untilSelling(await openStore(nodeId, code), WIDGET_BARCODE);
    }
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await world?.close();
  });
  it('returns at store B a sale made at store A, to the original card, and the hub counts it against the sale', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 3, 'AUTH-A-1');
    await eventually('the sale reaches the hub', () => a.drained() || undefined);

    const found = await b.okAsync('sale-find', { receiptNumber: receipt });
    expect(found).toMatchObject({ receiptNumber: receipt, soldAt: { storeId: 'store-a', source: 'hub' } });
    expect(found.lines).toEqual([expect.objectContaining({ sku: 'WIDGET', qty: 3, returnableQty: 3 })]);
    if ((await b.okAsync('shift-current', {})).shift === null)
      await b.okAsync('shift-open', { float: 10_000 });
    const returned = await b.okAsync('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(returned).toMatchObject({ originalSaleId: found.saleId, originalReceiptNumber: receipt });
    expect(returned.refunds).toEqual([expect.objectContaining({ type: 'card', amount: 500 })]);
    await eventually('the return reaches the hub', () => b.drained() || undefined);

    const atHub = await lookupSale(hub, receipt);
    expect(atHub.lines[0]).toMatchObject({ returnedQty: 1, returnableQty: 2 });
    expect(atHub.tenders[0]).toMatchObject({ type: 'card', refunded: 500 });
    expect(await rejectedReturnsOf(found.saleId)).toEqual([]);
    // Store B's stock took the widget back; store A's did not.
    const row = await storage.db
      .selectFrom('returns')
      .select(['node_id', 'original_sale_id'])
      .where('original_sale_id', '=', found.saleId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ node_id: 'store-b', original_sale_id: found.saleId });

    // The second return at B, before or after its sync, sees the first: at most 2 more.
    const tooMany = await b.runAsync('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 3, disposition: 'sellable' }],
    });
    expect(tooMany.ok ? null : tooMany.error.code).toBe('RETURN_EXCEEDS_SOLD');
  });

  it('raises one exception when store A offline returns a line store B already returned through the hub', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 1);
    await eventually('the sale reaches the hub', () => a.drained() || undefined);
    await a.engine.sync.stop();
    try {
      await returnTwice(a, b, receipt);
    } finally {
      await online(a);
    }
    await eventually('store A pushed its return', () => a.drained() || undefined);
    const saleId = (await lookupSale(hub, receipt)).saleId;
    const exceptions = await rejectedReturnsOf(saleId);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ nodeId: 'store-a' });
    expect((await lookupSale(hub, receipt)).lines[0]).toMatchObject({ returnedQty: 1, returnableQty: 0 });
  });

  async function returnTwice(a: TestTill, b: TestTill, receipt: string): Promise<void> {
    const found = await b.okAsync('sale-find', { receiptNumber: receipt });
    if ((await b.okAsync('shift-current', {})).shift === null)
      await b.okAsync('shift-open', { float: 10_000 });
    const atB = await b.okAsync('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(atB.refunds).toEqual([expect.objectContaining({ type: 'cash', amount: 500 })]);
    await eventually('store B synced its return', () => b.drained() || undefined);

    // Store A does not know about B's return: its own till lets the same widget back.
    const atA = await a.okAsync('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(atA.total).toBe(500);
  }

  it('offline, a receipt the till does not hold takes the no-receipt path with its number recorded', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 1);
    await eventually('the sale reaches the hub', () => a.drained() || undefined);
    await b.engine.sync.stop();
    try {
      const lookedUp = await b.runAsync('sale-find', { receiptNumber: receipt });
      expect(lookedUp.ok ? null : lookedUp.error).toMatchObject({ code: 'NOT_FOUND' });
      expect(lookedUp.ok ? '' : lookedUp.error.message).toMatch(/without a receipt/);
      if ((await b.okAsync('shift-current', {})).shift === null)
        await b.okAsync('shift-open', { float: 10_000 });
      const returned = await b.okAsync('return-without-receipt', {
        lines: [{ sku: 'WIDGET', qty: 1 }],
        reason: 'hub offline, receipt from store A',
        originalReceiptNumber: receipt,
      });
      expect(returned).toMatchObject({ originalSaleId: null, originalReceiptNumber: receipt });
      expect(returned.refunds).toEqual([expect.objectContaining({ type: 'store_credit' })]);
    } finally {
      await online(b);
    }
    await eventually('store B pushed its return', () => b.drained() || undefined);
  });

  it.each([
    ['store A syncs first', ['store-a', 'store-b']],
    ['store B syncs first', ['store-b', 'store-a']],
  ] as const)(
    'links a no-receipt return to the receipt it names and raises one exception for a line returned twice offline (%s)',
    async (_order, syncOrder) => {
      const a = store('store-a');
      const b = store('store-b');
      const receipt = await sell(a, 1);
      await eventually('the sale reaches the hub', () => a.drained() || undefined);
      const saleId = (await lookupSale(hub, receipt)).saleId;
      await a.engine.sync.stop();
      await b.engine.sync.stop();
      try {
        const sold = await a.okAsync('sale-find', { receiptNumber: receipt });
        await a.okAsync('return-create', {
          receiptNumber: receipt,
          lines: [{ lineId: sold.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
        });
        if ((await b.okAsync('shift-current', {})).shift === null)
          await b.okAsync('shift-open', { float: 10_000 });
        await b.okAsync('return-without-receipt', {
          lines: [{ sku: 'WIDGET', qty: 1 }],
          reason: 'hub offline',
          originalReceiptNumber: receipt,
        });
      } finally {
        for (const nodeId of syncOrder) {
          await online(store(nodeId));
          await eventually(`${nodeId} pushed its return`, () => store(nodeId).drained() || undefined);
        }
      }
      const rejected = await rejectedReturnsOf(saleId);
      const twice = (await listExceptions(storage.db, { type: 'RETURN_OVER_RETURNABLE', limit: 500 })).filter(
        (row) => JSON.stringify(row.details).includes(saleId),
      );
      expect(rejected.length + twice.length).toBe(1);
      expect([...rejected, ...twice][0]).toMatchObject({ nodeId: syncOrder[1] });
      const linked = await storage.db
        .selectFrom('returns')
        .select('node_id')
        .where('original_sale_id', '=', saleId)
        .execute();
      // The return that was applied counts against the sale either way; the rejected one is not recorded.
      expect(linked.map((row) => row.node_id).sort()).toEqual(
        syncOrder[0] === 'store-a' ? ['store-a', 'store-b'] : ['store-b'],
      );
      expect((await lookupSale(hub, receipt)).lines[0]).toMatchObject({ returnableQty: 0 });
    },
  );

  it('tells the cashier when neither the till nor the hub has the receipt', async () => {
    const b = store('store-b');
    const missing = await b.runAsync('sale-find', { receiptNumber: 'SA-1-999999' });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
    expect(missing.ok ? '' : missing.error.message).toMatch(/Neither this till nor the hub/);
  });
});
