import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIDGET, backendKinds, startTestHub, eventually, type TestHub } from '@retail/hub-server/testing';
import { openTestTill, untilSelling, type TestTill } from '../src/engine/testing/test-till';

/**
 * Receipt lookup and reprint anywhere (issue 14): a till reprints a receipt it does not hold (another
 * store's sale) from the hub's record, always as a COPY headed with the store that sold it, through the
 * same receipt-print command as its own receipts; offline it says the hub is needed instead.
 */
describe.each(backendKinds())('reprinting another store’s receipt through the hub on %s', (kind) => {
  let world: TestHub;
  let a: TestTill;
  let b: TestTill;

  beforeAll(async () => {
    world = await startTestHub({ kind, stores: ['store-a', 'store-b'], items: [WIDGET] });
    a = await openTestTill(world, { storeId: 'store-a', storeCode: 'SA', dirPrefix: 'reprint-a-' });
    b = await openTestTill(world, { storeId: 'store-b', storeCode: 'SB', dirPrefix: 'reprint-b-' });
    await untilSelling(a, WIDGET.barcode);
    await untilSelling(b, WIDGET.barcode);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await world?.close();
  });

  async function sellAtA(): Promise<string> {
    if ((await a.okAsync('shift-current', {})).shift === null)
      await a.okAsync('shift-open', { float: 10_000 });
    const sale = await a.okAsync('sale-start', {});
    await a.okAsync('sale-add-line', { saleId: sale.saleId, code: WIDGET.barcode });
    const view = await a.okAsync('sale-get', { saleId: sale.saleId });
    await a.okAsync('sale-add-tender', {
      saleId: sale.saleId,
      tender: { type: 'card', amount: view.payment.remaining, reference: 'AUTH-R-1' },
    });
    return (await a.okAsync('sale-complete', { saleId: sale.saleId })).receiptNumber!;
  }

  it('prints store A’s receipt at store B as a copy from the hub, and lists it only at A', async () => {
    const receiptNumber = await sellAtA();
    await eventually('the sale reaches the hub', () => a.drained() || undefined);

    const preview = await b.okAsync('receipt-preview', { receiptNumber });
    expect(preview.receipt).toMatchObject({ kind: 'sale', copy: true, receiptNumber, store: { code: 'SA' } });
    const printed = await b.okAsync('receipt-print', { receiptNumber });
    expect(printed.printNo).toBe(1);
    expect(printed.receipt).toMatchObject({
      copy: true,
      lines: [expect.objectContaining({ sku: 'WIDGET', qty: 1 })],
      payments: [expect.objectContaining({ amount: printed.receipt.totals.total })],
    });
    expect(printed.receipt.notes.join(' ')).toMatch(/Copy from HQ's record, printed at store SB/);
    expect(printed.html).toContain('COPY');

    expect((await a.okAsync('receipt-list', {})).receipts.map((row) => row.receiptNumber)).toContain(
      receiptNumber,
    );
    expect((await b.okAsync('receipt-list', {})).receipts.map((row) => row.receiptNumber)).not.toContain(
      receiptNumber,
    );

    const unknown = await b.runAsync('receipt-print', { receiptNumber: 'SA-9-999999' });
    expect(unknown.ok ? '' : unknown.error.message).toMatch(/Neither this till nor the hub has a receipt/);
  });

  it('offline, says a receipt the till does not hold needs the hub, and still reprints its own', async () => {
    const receiptNumber = await sellAtA();
    await eventually('the sale reaches the hub', () => a.drained() || undefined);
    await b.engine.sync.stop();
    try {
      const answer = await b.runAsync('receipt-print', { receiptNumber });
      expect(answer.ok ? null : answer.error).toMatchObject({
        code: 'NOT_FOUND',
        details: { receiptNumber, hubUnreachable: true },
      });
    } finally {
      b.engine.sync.start();
      await eventually('store B is online again', () => b.engine.sync.online());
    }
    await a.engine.sync.stop();
    try {
      const own = await a.okAsync('receipt-print', { receiptNumber });
      expect(own.receipt).toMatchObject({ receiptNumber, store: { code: 'SA' } });
    } finally {
      a.engine.sync.start();
      await eventually('store A is online again', () => a.engine.sync.online());
    }
  });
});
