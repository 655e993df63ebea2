import { afterEach, describe, expect, it } from 'vitest';
import { readOutbox } from '../outbox/outbox';
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

function open(float = 10_000, session?: string) {
  return expectOk(
    node.engine.execute('shift-open', { float }, { session: session ?? node.sessions.cashier }),
  );
}

describe('shift commands', () => {
  describe('shift-open', () => {
    it('opens a shift with a float and records a shift.opened event', () => {
      node = createTestNode();
      const shift = open(15_000);
      expect(shift).toMatchObject({
        registerId: 'main',
        float: 15_000,
        status: 'open',
        currency: 'EUR',
        closedAt: null,
      });
      const [event] = checkedOutbox(node.engine);
      expect(event).toMatchObject({
        type: 'shift.opened',
        deviceSeq: 1,
        storeId: 'store-1',
        payload: { shiftId: shift.shiftId, float: 15_000, currency: 'EUR' },
      });
      expect(
        expectOk(node.engine.execute('shift-current', {}, { session: node.sessions.cashier })).shift?.shiftId,
      ).toBe(shift.shiftId);
    });

    it('refuses a second open shift on the same register but allows another register', () => {
      node = createTestNode();
      open();
      const error = expectError(
        node.engine.execute('shift-open', { float: 0 }, { session: node.sessions.cashier2 }),
        'CONFLICT',
      );
      expect(error.message).toBe('Register main already has a shift open since 10:00. Close it first.');
      expectOk(
        node.engine.execute(
          'shift-open',
          { registerId: 'lane-2', float: 0 },
          { session: node.sessions.cashier2 },
        ),
      );
    });

    it('refuses a negative float', () => {
      node = createTestNode();
      expectError(
        node.engine.execute('shift-open', { float: -1 }, { session: node.sessions.cashier }),
        'INVALID_INPUT',
      );
      expect(readOutbox(node.engine.db)).toEqual([]);
    });
  });

  describe('shift-cash-in / shift-cash-out', () => {
    it('needs an open shift', () => {
      node = createTestNode();
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute(
          'shift-cash-in',
          { amount: 500, reason: 'change from safe' },
          { session: node.sessions.cashier },
        ),
        'SHIFT_NOT_OPEN',
      );
      expect(error.message).toBe('No shift is open on register main. Open a shift first.');
      expectError(
        node.engine.execute(
          'shift-cash-out',
          { amount: 500, reason: 'milkman' },
          { session: node.sessions.cashier },
        ),
        'SHIFT_NOT_OPEN',
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('records cash in and out with events and moves the expected drawer amount', () => {
      node = createTestNode();
      const shift = open(10_000);
      const cashIn = expectOk(
        node.engine.execute(
          'shift-cash-in',
          { amount: 2_000, reason: 'change from safe' },
          { session: node.sessions.cashier },
        ),
      );
      expect(cashIn).toMatchObject({
        direction: 'in',
        amount: 2_000,
        shiftId: shift.shiftId,
        overrideId: null,
      });
      expectOk(
        node.engine.execute(
          'shift-cash-out',
          { amount: 3_500, reason: 'milkman' },
          { session: node.sessions.cashier },
        ),
      );
      const report = expectOk(node.engine.execute('shift-x-report', {}, { session: node.sessions.cashier }));
      expect(report).toMatchObject({
        kind: 'X',
        float: 10_000,
        cashIn: 2_000,
        cashOut: 3_500,
        expectedCash: 8_500,
      });
      const events = checkedOutbox(node.engine);
      expect(events.map((event) => [event.deviceSeq, event.type])).toEqual([
        [1, 'shift.opened'],
        [2, 'shift.cash_moved'],
        [3, 'shift.cash_moved'],
      ]);
      expect(events[2]?.payload).toMatchObject({ direction: 'out', amount: 3_500, reason: 'milkman' });
    });

    it('refuses to take out more than the drawer should hold', () => {
      node = createTestNode();
      open(1_000);
      const error = expectError(
        node.engine.execute(
          'shift-cash-out',
          { amount: 1_001, reason: 'float to safe' },
          { session: node.sessions.cashier },
        ),
        'INSUFFICIENT_BALANCE',
      );
      expect(error.message).toBe(
        'The drawer should hold €10.00; you cannot take out €10.01. Count the drawer or take out less.',
      );
    });

    it('needs a manager override above the pay-out limit, and consumes it once', () => {
      node = createTestNode();
      open(50_000);
      const refused = expectError(
        node.engine.execute(
          'shift-cash-out',
          { amount: 10_001, reason: 'supplier COD' },
          { session: node.sessions.cashier },
        ),
        'OVERRIDE_REQUIRED',
      );
      expect(refused.message).toBe(
        'Taking out more than €100.00 needs a manager override. Ask a manager to authorize it.',
      );
      expectOk(
        node.engine.execute(
          'shift-cash-out',
          { amount: 10_000, reason: 'at the limit' },
          { session: node.sessions.cashier },
        ),
      );
      const override = expectOk(
        node.engine.execute(
          'staff-override',
          {
            managerCode: 'M1',
            managerPin: '1234',
            action: 'cash-out-over-limit',
            reason: 'supplier paid cash on delivery',
          },
          { session: node.sessions.cashier },
        ),
      );
      const moved = expectOk(
        node.engine.execute(
          'shift-cash-out',
          { amount: 20_000, reason: 'supplier COD', overrideId: override.overrideId },
          { session: node.sessions.cashier },
        ),
      );
      expect(moved.overrideId).toBe(override.overrideId);
      const last = checkedOutbox(node.engine).at(-1);
      expect(last?.payload).toMatchObject({
        amount: 20_000,
        override: { managerId: override.managerId, reason: 'supplier paid cash on delivery' },
      });
      const reused = expectError(
        node.engine.execute(
          'shift-cash-out',
          { amount: 10_500, reason: 'again', overrideId: override.overrideId },
          { session: node.sessions.cashier },
        ),
        'OVERRIDE_REQUIRED',
      );
      expect(reused.message).toBe(
        'That manager override has already been used. Ask a manager to authorize it again.',
      );
    });

    it('refuses an override that expired, belongs to someone else or was given for another action', () => {
      node = createTestNode();
      open(50_000);
      const give = (action: 'cash-out-over-limit' | 'sale-void', session: string) =>
        expectOk(
          node.engine.execute(
            'staff-override',
            { managerCode: 'M1', managerPin: '1234', action, reason: 'ok' },
            { session },
          ),
        ).overrideId;
      const cashOut = (overrideId: string) =>
        node.engine.execute(
          'shift-cash-out',
          { amount: 12_000, reason: 'supplier', overrideId },
          { session: node.sessions.cashier },
        );
      expect(
        expectError(cashOut(give('sale-void', node.sessions.cashier)), 'OVERRIDE_REQUIRED').message,
      ).toMatch(/given for sale-void, not cash-out-over-limit/);
      expect(
        expectError(cashOut(give('cash-out-over-limit', node.sessions.cashier2)), 'OVERRIDE_REQUIRED')
          .message,
      ).toMatch(/given to someone else/);
      const late = give('cash-out-over-limit', node.sessions.cashier);
      node.clock.advance(5 * 60_000);
      expect(expectError(cashOut(late), 'OVERRIDE_REQUIRED').message).toMatch(/has expired/);
      expect(expectError(cashOut('no-such-override'), 'OVERRIDE_REQUIRED').message).toMatch(/does not exist/);
    });

    it('lets a manager pay out above the limit on their own authority', () => {
      node = createTestNode();
      open(50_000, node.sessions.manager);
      const moved = expectOk(
        node.engine.execute(
          'shift-cash-out',
          { amount: 30_000, reason: 'bank deposit' },
          { session: node.sessions.manager },
        ),
      );
      expect(moved.overrideId).toBeNull();
      expect(checkedOutbox(node.engine).at(-1)?.payload).toMatchObject({
        override: { reason: 'bank deposit' },
      });
    });
  });

  describe('shift-x-report', () => {
    it('includes sales, returns and tenders recorded on the shift', () => {
      node = createTestNode();
      const shift = open(10_000);
      const db = node.engine.db;
      // Sales are written by the sale commands (phase 2); the report only reads the tables.
      db.prepare(
        `INSERT INTO sales (sale_id, status, register_id, shift_id, staff_id, currency, receipt_seq, receipt_number,
           subtotal, total, paid, started_at, completed_at)
         SELECT 'sale-1', 'completed', 'main', ?, staff_id, 'EUR', 1, 'S001-3-000001', 3000, 3000, 3000, 'x', 'x'
         FROM staff WHERE staff_code = 'C1'`,
      ).run(shift.shiftId);
      db.prepare(
        `INSERT INTO sale_tenders (tender_id, sale_id, seq, type, amount, change) VALUES
           ('t1', 'sale-1', 1, 'card', 1000, NULL), ('t2', 'sale-1', 2, 'cash', 2000, 500)`,
      ).run();
      db.prepare(
        `INSERT INTO returns (return_id, receipt_seq, receipt_number, original_sale_id, register_id, shift_id, staff_id,
           currency, refund_total, completed_at, completed_at_ms, device_seq, tx_id)
         SELECT 'ret-1', 2, 'S001-3-000002', 'sale-1', 'main', ?, staff_id, 'EUR', 700, 'x', 0, 1, 'tx'
         FROM staff WHERE staff_code = 'C1'`,
      ).run(shift.shiftId);
      db.prepare(
        "INSERT INTO return_refunds (tender_id, return_id, seq, type, amount) VALUES ('r1', 'ret-1', 1, 'cash', 700)",
      ).run();
      const report = expectOk(node.engine.execute('shift-x-report', {}, { session: node.sessions.cashier }));
      expect(report).toMatchObject({
        salesCount: 1,
        salesTotal: 3000,
        returnsCount: 1,
        returnsTotal: 700,
        cashSales: 2000,
        cashRefunds: 700,
        expectedCash: 10_000 + 2000 - 700,
        byTender: { card: 1000, cash: 1300 },
      });
    });

    it('needs an open shift', () => {
      node = createTestNode();
      expectError(
        node.engine.execute('shift-x-report', {}, { session: node.sessions.cashier }),
        'SHIFT_NOT_OPEN',
      );
    });
  });

  describe('shift-close', () => {
    it('counts the drawer by denomination and reports over/short in a Z report and a shift.closed event', () => {
      node = createTestNode();
      const shift = open(10_000);
      expectOk(
        node.engine.execute(
          'shift-cash-in',
          { amount: 1_000, reason: 'coins' },
          { session: node.sessions.cashier },
        ),
      );
      node.clock.advance(8 * 3_600_000);
      const z = expectOk(
        node.engine.execute(
          'shift-close',
          {
            denominations: [
              { value: 5_000, count: 2 },
              { value: 200, count: 4 },
              { value: 1, count: 3 },
            ],
          },
          { session: node.sessions.cashier },
        ),
      );
      expect(z).toMatchObject({ kind: 'Z', expectedCash: 11_000, countedCash: 10_803, overShort: -197 });
      expect(z.shift).toMatchObject({ shiftId: shift.shiftId, status: 'closed' });
      expect(z.denominations.map((d) => d.value)).toEqual([5_000, 200, 1]);
      const closed = checkedOutbox(node.engine).at(-1);
      expect(closed).toMatchObject({
        type: 'shift.closed',
        payload: {
          expectedCash: 11_000,
          countedCash: 10_803,
          overShort: -197,
          totals: { cashIn: 1_000, cashOut: 0 },
        },
      });
      expect(
        expectOk(node.engine.execute('shift-current', {}, { session: node.sessions.cashier })).shift,
      ).toBeNull();
      expectError(
        node.engine.execute(
          'shift-cash-in',
          { amount: 1, reason: 'late' },
          { session: node.sessions.cashier },
        ),
        'SHIFT_NOT_OPEN',
      );
    });

    it('reports gift card loads on their own line, out of net sales, with their cash still in the drawer (issue 14)', async () => {
      node = createTestNode();
      open(10_000);
      const as = { session: node.sessions.cashier };
      const saleId = expectOk(node.engine.execute('sale-start', {}, as)).saleId;
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'MILK-1', qty: 2 }, as));
      const goods = expectOk(node.engine.execute('sale-get', { saleId }, as)).totals.total;
      // No hub answers this test node: an unknown card number is sold as a new card (an activation).
      const loaded = expectOk(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'GC-NEW-0042', amount: 2_500 },
          as,
        ),
      );
      expect(loaded.totals.total).toBe(goods + 2_500);
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'cash', amount: loaded.payment.cashDue } },
          as,
        ),
      );
      expectOk(await node.engine.executeAsync('sale-complete', { saleId }, as));

      const x = expectOk(node.engine.execute('shift-x-report', {}, as));
      expect(x).toMatchObject({
        salesCount: 1,
        salesTotal: goods,
        giftCardLoads: { count: 1, total: 2_500 },
        cashSales: goods + 2_500,
        expectedCash: 10_000 + goods + 2_500,
        byTender: { cash: goods + 2_500 },
      });
      expect(x.breakdown?.cashiers).toEqual([expect.objectContaining({ salesCount: 1, salesTotal: goods })]);
      const z = expectOk(
        node.engine.execute(
          'shift-close',
          { denominations: [{ value: 1, count: 10_000 + goods + 2_500 }] },
          as,
        ),
      );
      expect(z).toMatchObject({ salesTotal: goods, giftCardLoads: { total: 2_500 }, overShort: 0 });
      // The shift.closed event keeps the meaning it always had: the sales' whole totals, loads included.
      expect(checkedOutbox(node.engine).at(-1)).toMatchObject({
        type: 'shift.closed',
        payload: { totals: { sales: goods + 2_500, byTender: { cash: goods + 2_500 } } },
      });
    });

    it('breaks the Z report down by VAT rate, discounts, voids, returns, overrides, no-sales and cashier, under the legal header (issue 14)', () => {
      node = createTestNode();
      open(50_000);
      const as = (who: keyof TestNode['sessions']) => ({ session: node.sessions[who] });
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 950,
            entity: 'config',
            key: 'pos.receipt.legalHeader',
            op: 'upsert',
            data: {
              key: 'pos.receipt.legalHeader',
              value: {
                companyName: 'Retail Example SAS',
                address: ['1 rue X', 'Paris'],
                vatNumber: 'FR40123',
              },
            },
          },
        ],
      });
      const sell = (who: 'cashier' | 'cashier2', sku: string, qty: number, discountPercent?: number) => {
        const saleId = expectOk(node.engine.execute('sale-start', {}, as(who))).saleId;
        const view = expectOk(node.engine.execute('sale-add-line', { saleId, sku, qty }, as(who)));
        const priced = discountPercent
          ? expectOk(
              node.engine.execute(
                'sale-discount-line',
                { saleId, lineId: view.lines[0]!.lineId, discount: { percent: discountPercent } },
                as(who),
              ),
            )
          : view;
        expectOk(
          node.engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'cash', amount: priced.payment.cashDue } },
            as(who),
          ),
        );
        return expectOk(node.engine.execute('sale-complete', { saleId }, as(who)));
      };
      const overrideFor = (action: 'sale-void' | 'sale-post-void' | 'cash-out-over-limit') =>
        expectOk(
          node.engine.execute(
            'staff-override',
            { managerCode: 'M1', managerPin: '1234', action, reason: 'test' },
            as('cashier'),
          ),
        ).overrideId;

      const discounted = sell('cashier', 'MILK-1', 2, 10);
      const apples = sell('cashier2', 'APPLE-1', 4);
      const postVoided = sell('cashier', 'MILK-1', 1);
      expectOk(
        node.engine.execute(
          'sale-post-void',
          { saleId: postVoided.saleId, reason: 'wrong item', overrideId: overrideFor('sale-post-void') },
          as('cashier'),
        ),
      );
      const abandoned = expectOk(node.engine.execute('sale-start', {}, as('cashier'))).saleId;
      expectOk(
        node.engine.execute('sale-add-line', { saleId: abandoned, sku: 'APPLE-1', qty: 1 }, as('cashier')),
      );
      expectOk(
        node.engine.execute(
          'sale-void',
          { saleId: abandoned, reason: 'customer left', overrideId: overrideFor('sale-void') },
          as('cashier'),
        ),
      );
      const returned = expectOk(
        node.engine.execute(
          'return-create',
          { receiptNumber: apples.receiptNumber!, lines: [{ lineId: apples.lines[0]!.lineId, qty: 1 }] },
          as('cashier2'),
        ),
      );
      expectOk(
        node.engine.execute(
          'shift-cash-out',
          { amount: 20_000, reason: 'supplier COD', overrideId: overrideFor('cash-out-over-limit') },
          as('cashier'),
        ),
      );
      expectOk(node.engine.execute('drawer-open', { reason: 'no-sale' }, as('supervisor')));
      expectOk(node.engine.execute('drawer-open', { reason: 'no-sale' }, as('manager')));

      const z = expectOk(node.engine.execute('shift-close', { denominations: [] }, as('cashier')));
      const completed = [discounted, apples];
      const taxes = new Map<string, { taxable: number; tax: number }>();
      for (const sale of completed)
        for (const rate of sale.taxSummary) {
          const sofar = taxes.get(rate.rateId) ?? { taxable: 0, tax: 0 };
          taxes.set(rate.rateId, { taxable: sofar.taxable + rate.taxable, tax: sofar.tax + rate.tax });
        }
      expect(z.breakdown).toEqual({
        taxes: [...taxes.entries()].map(([rateId, totals]) => expect.objectContaining({ rateId, ...totals })),
        discounts: { count: 1, total: discounted.totals.discount },
        voids: { cancelledSales: 1, postVoids: 1, postVoidTotal: postVoided.totals.total },
        overrides: [
          { action: 'cash-out-over-limit', count: 1 },
          { action: 'sale-post-void', count: 1 },
          { action: 'sale-void', count: 1 },
        ],
        noSales: 2,
        cashiers: [
          {
            staffId: apples.staffId,
            name: 'Casey Cashier',
            salesCount: 1,
            salesTotal: apples.totals.total,
            returnsCount: 1,
            returnsTotal: returned.total,
          },
          {
            staffId: discounted.staffId,
            name: 'Chris Cashier',
            salesCount: 1,
            salesTotal: discounted.totals.total,
            returnsCount: 0,
            returnsTotal: 0,
          },
        ],
        legal: {
          companyName: 'Retail Example SAS',
          address: ['1 rue X', 'Paris'],
          vatNumber: 'FR40123',
          extraLines: [],
        },
      });
      expect(discounted.totals.discount).toBeGreaterThan(0);
      expect(z.breakdown?.taxes.length).toBeGreaterThan(0);
    });

    it('lets only the shift owner or a supervisor close it', () => {
      node = createTestNode();
      open();
      const error = expectError(
        node.engine.execute('shift-close', { denominations: [] }, { session: node.sessions.cashier2 }),
        'FORBIDDEN',
      );
      expect(error.message).toBe(
        'Only the cashier who opened this shift, a supervisor or a manager can close it.',
      );
      expectOk(
        node.engine.execute('shift-close', { denominations: [] }, { session: node.sessions.supervisor }),
      );
    });

    it('refuses while a sale on the shift is still open', () => {
      node = createTestNode();
      const shift = open();
      node.engine.db
        .prepare(
          `INSERT INTO sales (sale_id, status, register_id, shift_id, staff_id, currency, started_at)
           SELECT 'open-sale', 'parked', 'main', ?, staff_id, 'EUR', 'x' FROM staff WHERE staff_code = 'C1'`,
        )
        .run(shift.shiftId);
      const error = expectError(
        node.engine.execute('shift-close', { denominations: [] }, { session: node.sessions.cashier }),
        'CONFLICT',
      );
      expect(error.message).toBe(
        'Finish or void the 1 open or parked sale(s) on register main before closing the shift.',
      );
    });

    it('refuses a denomination listed twice', () => {
      node = createTestNode();
      open();
      expectError(
        node.engine.execute(
          'shift-close',
          {
            denominations: [
              { value: 100, count: 1 },
              { value: 100, count: 2 },
            ],
          },
          { session: node.sessions.cashier },
        ),
        'INVALID_INPUT',
      );
    });
  });
});
