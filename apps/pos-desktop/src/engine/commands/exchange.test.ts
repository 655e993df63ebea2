import { STORE_CREDIT_CODE_PATTERN } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { localStock } from '../local-stock';
import {
  checkedOutbox,
  countRows,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const as = (session: keyof TestNode['sessions'] = 'cashier') => ({ session: node.sessions[session] });

function sell(sku: string, qty: number, tender: 'cash' | 'card'): { receiptNumber: string; lineId: string } {
  const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
  const total = expectOk(node.engine.execute('sale-add-line', { saleId, sku, qty }, as())).totals.total;
  expectOk(
    node.engine.execute(
      'sale-add-tender',
      {
        saleId,
        tender:
          tender === 'cash'
            ? { type: 'cash', amount: total }
            : { type: 'card', amount: total, reference: 'AUTH-1' },
      },
      as(),
    ),
  );
  const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
  return { receiptNumber: done.receiptNumber!, lineId: done.lines[0]!.lineId };
}

function setUp(): void {
  node = createTestNode();
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, as()));
}

describe('exchanges', () => {
  describe('sale-set-exchange + sale-complete', () => {
    it('returns and sells in one transaction, the refund paying for the new items and the customer paying the rest', () => {
      setUp();
      const original = sell('APPLE-1', 3, 'cash');
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'MILK-1', qty: 2 }, as()));
      const exchanging = expectOk(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: { receiptNumber: original.receiptNumber, lines: [{ lineId: original.lineId, qty: 1 }] },
          },
          as(),
        ),
      );
      expect(exchanging.exchange).toMatchObject({ refund: 45, credit: 45, refundDue: 0 });
      expect(exchanging.payment).toMatchObject({ remaining: 213, complete: false });
      expectOk(
        node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: 213 } }, as()),
      );
      const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      expect(done).toMatchObject({
        receiptNumber: 'S001-3-000003',
        exchange: { receiptNumber: 'S001-3-000001', refund: 45, credit: 45, refundDue: 0 },
        tenders: [
          { type: 'store_credit', amount: 45, reference: `EXCHANGE-${saleId}` },
          { type: 'cash', amount: 213 },
        ],
      });
      const [returned, sold] = checkedOutbox(node.engine).slice(-2);
      expect(returned).toMatchObject({
        type: 'return.completed',
        payload: {
          receiptNumber: 'S001-3-000002',
          refunds: [{ type: 'store_credit', amount: 45, reference: `EXCHANGE-${saleId}` }],
        },
      });
      expect(sold).toMatchObject({
        type: 'sale.completed',
        txId: returned?.txId,
        causes: [returned?.eventId],
      });
      expect(
        localStock(node.engine.db, node.engine.identity, ['APPLE-1', 'MILK-1']).map(
          (level) => level.sellable,
        ),
      ).toEqual([18, 8]);
      const report = expectOk(node.engine.execute('shift-x-report', {}, as()));
      expect(report.byTender).toEqual({ cash: 135 + 213, store_credit: 0 });
      expect(expectOk(node.engine.execute('sale-find', { receiptNumber: 'S001-3-000003' }, as()))).toEqual(
        done,
      );
    });

    it('pays back what the returned items refund beyond the new sale, the way a return would', () => {
      setUp();
      const original = sell('MILK-1', 2, 'card');
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as()));
      const exchanging = expectOk(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: { receiptNumber: original.receiptNumber, lines: [{ lineId: original.lineId, qty: 2 }] },
          },
          as(),
        ),
      );
      expect(exchanging.exchange).toMatchObject({ refund: 258, credit: 45, refundDue: 213 });
      expect(exchanging.payment.complete).toBe(true);
      const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      const returned = checkedOutbox(node.engine).find((event) => event.type === 'return.completed');
      expect(returned?.payload).toMatchObject({
        refunds: [
          { type: 'store_credit', amount: 45, reference: `EXCHANGE-${saleId}` },
          { type: 'store_credit', amount: 213, reference: expect.stringMatching(STORE_CREDIT_CODE_PATTERN) },
        ],
      });
      const slip = (returned?.payload as { refunds: { reference: string }[] }).refunds[1]!.reference;

      // Issue 14, bug 4: the till says where the 2.13 went (a new slip, by its code), and so does the receipt.
      expect(done.exchange).toMatchObject({
        returnReceiptNumber: 'S001-3-000002',
        refundDue: 213,
        refunds: [{ type: 'store_credit', amount: 213, points: null, reference: slip }],
      });
      const { receipt, html } = expectOk(
        node.engine.execute('receipt-preview', { receiptNumber: done.receiptNumber! }, as()),
      );
      expect(receipt.payments[0]).toMatchObject({ type: 'exchange_credit', reference: 'S001-3-000002' });
      expect(receipt.exchange).toMatchObject({
        returnReceiptNumber: 'S001-3-000002',
        originalReceiptNumber: original.receiptNumber,
        lines: [{ name: 'MILK-1 name', qty: 2, amount: -258 }],
        refunds: [{ type: 'store_credit', amount: 213, reference: slip }],
      });
      expect(html).toContain('MILK-1 name × 2');
      expect(html).toContain(`Refunded to Store credit ${slip}`);
      expect(html).toContain('Exchange credit');
      expect(html).not.toContain('EXCHANGE-');
      expect(html).not.toContain(saleId);
    });

    it("issues the exchange's new store credit to the sale's customer and prints their slip", async () => {
      setUp();
      const original = sell('MILK-1', 2, 'card');
      const { customer } = expectOk(
        await node.engine.executeAsync(
          'customer-create',
          { name: 'Robin Swap', phone: '+353861112277' },
          as(),
        ),
      );
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      expectOk(
        await node.engine.executeAsync(
          'sale-attach-customer',
          { saleId, customerId: customer.customerId },
          as(),
        ),
      );
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as()));
      expectOk(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: { receiptNumber: original.receiptNumber, lines: [{ lineId: original.lineId, qty: 2 }] },
          },
          as(),
        ),
      );
      const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      const returned = checkedOutbox(node.engine).find((event) => event.type === 'return.completed');
      expect(returned?.payload).toMatchObject({ customerId: customer.customerId });
      const slip = (returned?.payload as { refunds: { reference: string }[] }).refunds[1]!.reference;
      const { receipt, html } = expectOk(
        node.engine.execute('receipt-preview', { receiptNumber: done.receiptNumber! }, as()),
      );
      expect(receipt.storeCreditSlips).toEqual([{ code: slip, amount: 213, customerName: 'Robin Swap' }]);
      expect(html).toContain('For Robin Swap');
    });

    it('refuses to take back more than was sold, and writes nothing of either half when the sale cannot complete', () => {
      setUp();
      const original = sell('APPLE-1', 1, 'cash');
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'MILK-1', qty: 2 }, as()));
      expectError(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: { receiptNumber: original.receiptNumber, lines: [{ lineId: original.lineId, qty: 2 }] },
          },
          as(),
        ),
        'RETURN_EXCEEDS_SOLD',
      );
      expectOk(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: { receiptNumber: original.receiptNumber, lines: [{ lineId: original.lineId, qty: 1 }] },
          },
          as(),
        ),
      );
      const before = databaseSnapshot(node.engine);
      expectError(node.engine.execute('sale-complete', { saleId }, as()), 'INSUFFICIENT_TENDER');
      expect(databaseSnapshot(node.engine)).toEqual(before);
      expect(countRows(node.engine, 'returns')).toBe(0);
      const cleared = expectOk(node.engine.execute('sale-set-exchange', { saleId, exchange: null }, as()));
      expect(cleared.exchange).toBeNull();
    });
  });
});
