import { afterEach, describe, expect, it } from 'vitest';
import { localStock } from '../local-stock';
import {
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const as = (session: keyof TestNode['sessions'] = 'cashier') => ({ session: node.sessions[session] });

/** Opens a shift and completes one sale; returns its receipt number and line ids. */
function sell(
  lines: { sku: string; qty: number; discountPercent?: number }[],
  tenders:
    ({ type: 'cash'; amount: number } | { type: 'card'; amount: number; reference: string })[] | 'exact-cash',
): { receiptNumber: string; lineIds: string[]; total: number } {
  if (!expectOk(node.engine.execute('shift-current', {}, as())).shift) {
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, as()));
  }
  const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
  for (const line of lines) {
    const view = expectOk(
      node.engine.execute('sale-add-line', { saleId, sku: line.sku, qty: line.qty }, as()),
    );
    if (line.discountPercent !== undefined) {
      const lineId = view.lines.at(-1)!.lineId;
      expectOk(
        node.engine.execute(
          'sale-discount-line',
          { saleId, lineId, discount: { percent: line.discountPercent } },
          as('manager'),
        ),
      );
    }
  }
  const total = expectOk(node.engine.execute('sale-get', { saleId }, as())).totals.total;
  for (const tender of tenders === 'exact-cash' ? [{ type: 'cash' as const, amount: total }] : tenders) {
    expectOk(node.engine.execute('sale-add-tender', { saleId, tender }, as()));
  }
  const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
  return { receiptNumber: done.receiptNumber!, lineIds: done.lines.map((line) => line.lineId), total };
}

function returnLines(
  receiptNumber: string,
  lines: {
    lineId: string;
    qty: number;
    disposition?: 'sellable' | 'damaged' | 'quality_control' | 'write_off';
  }[],
) {
  return node.engine.execute('return-create', { receiptNumber, lines }, as());
}

describe('return commands', () => {
  describe('return-create', () => {
    it('refunds what the line paid to the original cash tender, restocks and records return.completed after the sale', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'APPLE-1', qty: 3 }], [{ type: 'cash', amount: 200 }]);
      const returned = expectOk(returnLines(sale.receiptNumber, [{ lineId: sale.lineIds[0]!, qty: 1 }]));
      expect(returned).toMatchObject({
        receiptNumber: 'S001-3-000002',
        originalReceiptNumber: 'S001-3-000001',
        total: 45,
        lines: [
          { sku: 'APPLE-1', qty: 1, refund: 45, disposition: 'sellable', originalLineId: sale.lineIds[0] },
        ],
        refunds: [{ type: 'cash', amount: 45 }],
      });
      expect(localStock(node.engine.db, node.engine.identity, ['APPLE-1'])[0]?.sellable).toBe(18);
      const events = checkedOutbox(node.engine);
      const saleEvent = events.find((event) => event.type === 'sale.completed');
      expect(events.at(-1)).toMatchObject({
        type: 'return.completed',
        causes: [saleEvent?.eventId],
        payload: {
          originalReceiptNumber: 'S001-3-000001',
          movements: [{ sku: 'APPLE-1', type: 'RETURN_RESTOCK', bucket: 'sellable', delta: 1 }],
          refunds: [{ type: 'cash', amount: 45, originalTenderId: expect.any(String) }],
        },
      });
      expect(expectOk(node.engine.execute('shift-x-report', {}, as()))).toMatchObject({
        returnsCount: 1,
        returnsTotal: 45,
        cashRefunds: 45,
        expectedCash: 10_000 + 135 - 45,
      });
      expect(
        expectOk(node.engine.execute('return-get', { receiptNumber: 'S001-3-000002' }, as())).lines,
      ).toEqual(returned.lines);
    });

    it('never returns more than sold minus returned, and refunds exactly what was paid once everything is back', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'APPLE-1', qty: 3, discountPercent: 10 }], 'exact-cash');
      const lineId = sale.lineIds[0]!;
      expect(sale.total).toBe(121);
      const refunds = [1, 1].map((qty) => expectOk(returnLines(sale.receiptNumber, [{ lineId, qty }])).total);
      const before = databaseSnapshot(node.engine);
      const error = expectError(returnLines(sale.receiptNumber, [{ lineId, qty: 2 }]), 'RETURN_EXCEEDS_SOLD');
      expect(error.message).toBe('You can return at most 1 of SKU APPLE-1: 3 sold, 2 already returned.');
      expect(databaseSnapshot(node.engine)).toEqual(before);
      refunds.push(expectOk(returnLines(sale.receiptNumber, [{ lineId, qty: 1 }])).total);
      expect(refunds).toEqual([40, 40, 41]);
      expectError(returnLines(sale.receiptNumber, [{ lineId, qty: 1 }]), 'RETURN_EXCEEDS_SOLD');
    });

    it('sends card shares to store credit while the hub is offline, and explains why', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'MILK-1', qty: 2 }], [{ type: 'card', amount: 258, reference: 'AUTH-9' }]);
      const returned = expectOk(returnLines(sale.receiptNumber, [{ lineId: sale.lineIds[0]!, qty: 1 }]));
      expect(returned.refunds).toEqual([
        expect.objectContaining({
          type: 'store_credit',
          amount: 129,
          reference: expect.stringMatching(/^SC-/),
        }),
      ]);
      expect(returned.notes).toHaveLength(1);
    });

    it('puts returned goods in the bucket of their disposition, and a write-off nowhere', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'MILK-1', qty: 3 }], 'exact-cash');
      const lineId = sale.lineIds[0]!;
      expectOk(
        returnLines(sale.receiptNumber, [
          { lineId, qty: 1, disposition: 'damaged' },
          { lineId, qty: 1, disposition: 'quality_control' },
          { lineId, qty: 1, disposition: 'write_off' },
        ]),
      );
      expect(localStock(node.engine.db, node.engine.identity, ['MILK-1'])[0]).toMatchObject({
        sellable: 7,
        damaged: 1,
        qualityControl: 1,
      });
      expect(checkedOutbox(node.engine).at(-1)?.payload).toMatchObject({
        movements: [
          { type: 'RETURN_DAMAGED', bucket: 'damaged', delta: 1 },
          { type: 'RETURN_QC', bucket: 'quality_control', delta: 1 },
        ],
      });
    });

    it('refuses a cash refund the drawer cannot pay', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'MILK-1', qty: 1 }], 'exact-cash');
      expectOk(
        node.engine.execute('shift-cash-out', { amount: 10_129, reason: 'to the safe' }, as('manager')),
      );
      const error = expectError(
        returnLines(sale.receiptNumber, [{ lineId: sale.lineIds[0]!, qty: 1 }]),
        'INSUFFICIENT_BALANCE',
      );
      expect(error.message).toBe(
        'The drawer should hold only €0.00, not enough for a cash refund of €1.29. Add cash to the drawer first.',
      );
    });

    it('says clearly what is wrong with the receipt, the line or the register', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'MILK-1', qty: 1 }], 'exact-cash');
      expectError(returnLines('S001-3-999999', [{ lineId: sale.lineIds[0]!, qty: 1 }]), 'NOT_FOUND');
      expect(
        expectError(returnLines(sale.receiptNumber, [{ lineId: 'nope', qty: 1 }]), 'NOT_FOUND').message,
      ).toBe('Line nope is not on this receipt.');
      expectError(
        node.engine.execute(
          'return-create',
          {
            registerId: 'lane-7',
            receiptNumber: sale.receiptNumber,
            lines: [{ lineId: sale.lineIds[0]!, qty: 1 }],
          },
          as(),
        ),
        'SHIFT_NOT_OPEN',
      );
      const saleId = expectOk(
        node.engine.execute('sale-find', { receiptNumber: sale.receiptNumber }, as()),
      ).saleId;
      expectOk(node.engine.execute('sale-post-void', { saleId, reason: 'rung twice' }, as('manager')));
      expectError(returnLines(sale.receiptNumber, [{ lineId: sale.lineIds[0]!, qty: 1 }]), 'NOT_ALLOWED');
    });
  });

  describe('return-without-receipt', () => {
    it('needs a manager override and refunds store credit at the lowest recent price', () => {
      node = createTestNode();
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 900,
            entity: 'promotion',
            key: 'milk-week',
            op: 'upsert',
            data: {
              promotionId: 'milk-week',
              version: 1,
              name: 'Milk week',
              priority: 1,
              stacking: 'stackable',
              scope: { type: 'chain' },
              currency: 'EUR',
              startsAt: node.clock.now(),
              endsAt: node.clock.now() + 3_600_000,
              rule: { type: 'percent_off', target: { skus: ['MILK-1'] }, percent: 20 },
            },
          },
        ],
      });
      sell([{ sku: 'MILK-1', qty: 1 }], 'exact-cash');
      node.clock.advance(5 * 3_600_000);
      const request = { lines: [{ sku: 'MILK-1', qty: 2 }], reason: 'gift, no receipt' };
      expectError(node.engine.execute('return-without-receipt', request, as()), 'OVERRIDE_REQUIRED');
      const override = expectOk(
        node.engine.execute(
          'staff-override',
          {
            managerCode: 'M1',
            managerPin: '1234',
            action: 'return-without-receipt',
            reason: 'regular customer',
          },
          as(),
        ),
      );
      const returned = expectOk(
        node.engine.execute('return-without-receipt', { ...request, overrideId: override.overrideId }, as()),
      );
      expect(returned).toMatchObject({
        originalReceiptNumber: null,
        total: 206,
        lines: [{ sku: 'MILK-1', qty: 2, refund: 206, originalLineId: null }],
        refunds: [{ type: 'store_credit', amount: 206 }],
      });
      expect(returned.notes[0]).toMatch(
        /lowest price in the last 90 days \(sale S001-3-000001\), as store credit only/,
      );
      expect(checkedOutbox(node.engine).at(-1)).toMatchObject({
        type: 'return.completed',
        payload: {
          // The till's audit reference travels with it: the hub freezes the credit without one.
          override: {
            managerId: override.managerId,
            reason: 'regular customer',
            auditRef: override.overrideId,
          },
          refunds: [{ type: 'store_credit' }],
        },
      });
    });

    it('issues the store credit to the customer found at the till and prints the slip with its short code', async () => {
      node = createTestNode();
      sell([{ sku: 'MILK-1', qty: 1 }], 'exact-cash');
      // The hub is away in the test node: the customer is created at the till with a temporary id.
      const { customer } = expectOk(
        await node.engine.executeAsync(
          'customer-create',
          { name: 'Robin Credit', phone: '+353861112299' },
          as(),
        ),
      );
      const request = {
        lines: [{ sku: 'MILK-1', qty: 1 }],
        reason: 'gift, no receipt',
        customerId: customer.customerId,
      };
      expectError(
        node.engine.execute(
          'return-without-receipt',
          { ...request, customerId: 'nobody-known' },
          as('manager'),
        ),
        'NOT_FOUND',
      );
      const returned = expectOk(node.engine.execute('return-without-receipt', request, as('manager')));
      const code = returned.refunds[0]?.reference ?? '';
      expect(code).toMatch(/^SC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(checkedOutbox(node.engine).at(-1)).toMatchObject({
        type: 'return.completed',
        payload: { customerId: customer.customerId, refunds: [{ type: 'store_credit', reference: code }] },
      });
      const printed = expectOk(
        node.engine.execute('receipt-print', { receiptNumber: returned.receiptNumber }, as()),
      );
      expect(printed.receipt.storeCreditSlips).toEqual([
        { code, amount: returned.total, customerName: 'Robin Credit' },
      ]);
      expect(printed.html).toContain('STORE CREDIT');
      expect(printed.html).toContain(code);
      expect(printed.html).toContain('For Robin Credit');
    });

    it('prints no slip when the refund goes back to the tender the sale was paid with', () => {
      node = createTestNode();
      const sale = sell([{ sku: 'APPLE-1', qty: 1 }], 'exact-cash');
      const returned = expectOk(returnLines(sale.receiptNumber, [{ lineId: sale.lineIds[0]!, qty: 1 }]));
      const printed = expectOk(
        node.engine.execute('receipt-print', { receiptNumber: returned.receiptNumber }, as()),
      );
      expect(printed.receipt.storeCreditSlips).toEqual([]);
      expect(printed.html).not.toContain('STORE CREDIT');
    });
  });
});
