import { variableMeasureItemBarcode, withGtinCheckDigit } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaleView } from '../../shared/commands';
import type { StoreNotification } from '../../shared/notifications';
import { localStock } from '../local-stock';
import {
  TEST_SKUS,
  checkedOutbox,
  countRows,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
  type TestNodeOptions,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

let hubSeq = 5000;
function feed(...changes: { entity: string; key: string; data: unknown; op?: 'upsert' | 'delete' }[]) {
  node.engine.applyFeed({
    epoch: 'test-epoch',
    changes: changes.map((change) => ({ hubSeq: (hubSeq += 1), op: change.op ?? 'upsert', ...change })),
  });
}

function setUp(options: TestNodeOptions = {}): string {
  node = createTestNode(options);
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: node.sessions.cashier }));
  return expectOk(node.engine.execute('sale-start', {}, { session: node.sessions.cashier })).saleId;
}

const as = (session: keyof TestNode['sessions'] = 'cashier') => ({ session: node.sessions[session] });

function add(saleId: string, line: { code?: string; sku?: string; qty?: number }): SaleView {
  return expectOk(node.engine.execute('sale-add-line', { saleId, ...line }, as()));
}

function pay(
  saleId: string,
  tender: { type: 'cash'; amount: number } | { type: 'card'; amount: number; reference: string },
) {
  return expectOk(node.engine.execute('sale-add-tender', { saleId, tender }, as()));
}

function complete(saleId: string): SaleView {
  return expectOk(node.engine.execute('sale-complete', { saleId }, as()));
}

describe('sale commands', () => {
  describe('sale-start', () => {
    it('needs an open shift on the register', () => {
      node = createTestNode();
      expectError(node.engine.execute('sale-start', {}, as()), 'SHIFT_NOT_OPEN');
    });

    it('allows one sale in progress per register, which sale-current finds again', () => {
      const saleId = setUp();
      const error = expectError(node.engine.execute('sale-start', {}, as('cashier2')), 'CONFLICT');
      expect(error.details).toEqual({ saleId });
      expect(expectOk(node.engine.execute('sale-current', {}, as('cashier2'))).sale?.saleId).toBe(saleId);
      expect(expectOk(node.engine.execute('sale-current', { registerId: 'lane-2' }, as())).sale).toBeNull();
    });
  });

  describe('sale-add-line', () => {
    it('adds items by barcode or SKU, merges repeats of a piece item and prices them with tax', () => {
      const saleId = setUp();
      add(saleId, { code: TEST_SKUS.apple.barcode });
      add(saleId, { sku: 'APPLE-1', qty: 2 });
      const view = add(saleId, { code: `0${TEST_SKUS.milk.barcode}` });
      expect(
        view.lines.map((line) => [line.sku, line.qty, line.unitPrice, line.extended, line.paid]),
      ).toEqual([
        ['APPLE-1', 3, 45, 135, 135],
        ['MILK-1', 1, 129, 129, 129],
      ]);
      expect(view.totals).toMatchObject({ subtotal: 264, discount: 0, total: 264 });
      expect(view.taxSummary).toEqual([
        { rateId: 'fr-reduced', name: 'VAT 5.5%', percent: 5.5, taxable: 250, tax: 14 },
      ]);
      expect(view.priceBookVersion).toBe('pb-chain@1');
    });

    it('takes the weight from a scale label and needs a weight for loose goods added by SKU', () => {
      const saleId = setUp();
      const rule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 } as const;
      feed(
        {
          entity: 'config',
          key: 'pos.scan.variableMeasureRules',
          data: { key: 'pos.scan.variableMeasureRules', value: [rule] },
        },
        {
          entity: 'sku',
          key: 'CHEESE-KG',
          data: {
            sku: 'CHEESE-KG',
            productId: 'p-CHEESE-KG',
            name: 'Comté',
            unit: 'kg',
            taxCategory: 'food',
            categoryIds: ['food'],
            barcodes: [TEST_SKUS.cheese.barcode, variableMeasureItemBarcode(rule, '00042')],
            active: true,
          },
        },
      );
      const view = add(saleId, { code: withGtinCheckDigit('210004200350') });
      expect(view.lines[0]).toMatchObject({
        sku: 'CHEESE-KG',
        unit: 'kg',
        qty: 350,
        unitPrice: 2490,
        extended: 872,
      });
      const error = expectError(
        node.engine.execute('sale-add-line', { saleId, sku: 'CHEESE-KG' }, as()),
        'INVALID_INPUT',
      );
      expect(error.message).toBe('Comté is sold by weight: weigh it and enter the weight in grams.');
      expectError(
        node.engine.execute(
          'sale-add-line',
          { saleId, code: withGtinCheckDigit('210004200350'), qty: 2 },
          as(),
        ),
        'INVALID_INPUT',
      );
    });

    it('refuses unknown barcodes, inactive and unpriced items, writing nothing', () => {
      const saleId = setUp();
      feed(
        {
          entity: 'sku',
          key: 'OLD-1',
          data: {
            sku: 'OLD-1',
            productId: 'p',
            name: 'Old stock',
            unit: 'each',
            taxCategory: 'food',
            categoryIds: [],
            barcodes: [],
            active: false,
          },
        },
        {
          entity: 'sku',
          key: 'NEW-1',
          data: {
            sku: 'NEW-1',
            productId: 'p',
            name: 'New line',
            unit: 'each',
            taxCategory: 'food',
            categoryIds: [],
            barcodes: [],
            active: true,
          },
        },
      );
      const before = databaseSnapshot(node.engine);
      expectError(
        node.engine.execute('sale-add-line', { saleId, code: withGtinCheckDigit('599999999999') }, as()),
        'UNKNOWN_BARCODE',
      );
      expect(
        expectError(node.engine.execute('sale-add-line', { saleId, sku: 'OLD-1' }, as()), 'NOT_ALLOWED')
          .message,
      ).toBe('Old stock (OLD-1) is no longer sold. Put it aside and tell a supervisor.');
      expect(
        expectError(node.engine.execute('sale-add-line', { saleId, sku: 'NEW-1' }, as()), 'NO_PRICE').message,
      ).toBe('SKU NEW-1 has no price at this store right now.');
      expectError(
        node.engine.execute('sale-add-line', { saleId, code: 'X', sku: 'APPLE-1' }, as()),
        'INVALID_INPUT',
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });
  });

  describe('sale-set-qty / sale-remove-line', () => {
    it('changes and removes lines', () => {
      const saleId = setUp();
      const lineId = add(saleId, { sku: 'APPLE-1' }).lines[0]!.lineId;
      add(saleId, { sku: 'MILK-1' });
      expect(
        expectOk(node.engine.execute('sale-set-qty', { saleId, lineId, qty: 4 }, as())).lines[0]?.extended,
      ).toBe(180);
      const view = expectOk(node.engine.execute('sale-remove-line', { saleId, lineId }, as()));
      expect(view.lines.map((line) => line.sku)).toEqual(['MILK-1']);
      // The cashier reads what happened, never the line's internal id (issue 14, bug 5).
      const gone = expectError(
        node.engine.execute('sale-remove-line', { saleId, lineId }, as()),
        'NOT_FOUND',
      );
      expect(gone.message).toBe(
        'That item is no longer on this sale: it was removed. Check the cart and pick the item again.',
      );
      expect(gone.message).not.toContain(lineId);
      expect(
        expectError(
          node.engine.execute('sale-remove-tender', { saleId, tenderId: 'tender-x1' }, as()),
          'NOT_FOUND',
        ).message,
      ).not.toContain('tender-x1');
    });

    it('refuses item changes once a payment is on the sale', () => {
      const saleId = setUp();
      const lineId = add(saleId, { sku: 'MILK-1' }).lines[0]!.lineId;
      pay(saleId, { type: 'cash', amount: 100 });
      expect(
        expectError(node.engine.execute('sale-set-qty', { saleId, lineId, qty: 2 }, as()), 'CONFLICT')
          .message,
      ).toBe('Remove the payments before changing the items or discounts.');
    });
  });

  describe('sale-override-price', () => {
    it('needs a manager override and keeps the book price it replaced', () => {
      const saleId = setUp();
      const lineId = add(saleId, { sku: 'MILK-1' }).lines[0]!.lineId;
      expectError(
        node.engine.execute(
          'sale-override-price',
          { saleId, lineId, unitPrice: 99, reason: 'damaged box' },
          as(),
        ),
        'OVERRIDE_REQUIRED',
      );
      const override = expectOk(
        node.engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '1234', action: 'price-override', reason: 'damaged box' },
          as(),
        ),
      );
      const view = expectOk(
        node.engine.execute(
          'sale-override-price',
          { saleId, lineId, unitPrice: 99, reason: 'damaged box', overrideId: override.overrideId },
          as(),
        ),
      );
      expect(view.lines[0]).toMatchObject({
        priceSource: 'override',
        unitPrice: 99,
        originalUnitPrice: 129,
        paid: 99,
      });
      pay(saleId, { type: 'cash', amount: 99 });
      complete(saleId);
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'sale.completed');
      expect(event?.payload).toMatchObject({
        lines: [{ priceSource: 'override', unitPrice: 99, originalUnitPrice: 129 }],
        overrides: [{ managerId: override.managerId, reason: 'damaged box' }],
      });
    });
  });

  describe('sale-discount-line / sale-discount-order', () => {
    it('applies discounts within the role limit and asks for approval on the spot beyond it', () => {
      const saleId = setUp();
      const lineId = add(saleId, { sku: 'APPLE-1', qty: 10 }).lines[0]!.lineId;
      const within = expectOk(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: { percent: 10 } }, as()),
      );
      expect(within.lines[0]?.adjustments).toEqual([
        { kind: 'manual_line', promotionId: null, amount: 45, reason: 'Line discount 10%' },
      ]);
      const error = expectError(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: { amount: 46 } }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(error.message).toBe(
        'The discount on APPLE-1 name is €0.46, more than the €0.45 (10%) allowed on that line as it now stands. Ask a supervisor or manager to approve it, or change the discount.',
      );
      expect(error.details).toMatchObject({ action: 'discount-over-limit', scope: 'line', lineId });
      expectOk(
        node.engine.execute(
          'sale-discount-line',
          { saleId, lineId, discount: { percent: 25 } },
          as('supervisor'),
        ),
      );
      // An order discount stacks on the supervisor's 25%: a cashier may not add anything on top of a sale
      // already past 10% off, a supervisor may bring it to 30%.
      const stacked = expectError(
        node.engine.execute('sale-discount-order', { saleId, discount: { amount: 30 } }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(stacked.details).toMatchObject({ scope: 'sale', limitPercent: 10, discount: 143, limit: 113 });
      const order = expectOk(
        node.engine.execute('sale-discount-order', { saleId, discount: { amount: 22 } }, as('supervisor')),
      );
      expect(order.totals.discount).toBe(113 + 22);
      const removed = expectOk(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: null }, as()),
      );
      expect(removed.lines[0]?.discount).toBeNull();
    });
  });

  describe('promotions', () => {
    it('applies active promotions and records their versions on the sale', () => {
      const saleId = setUp();
      feed({
        entity: 'promotion',
        key: 'promo-milk',
        data: {
          promotionId: 'promo-milk',
          version: 3,
          name: 'Milk 20% off',
          priority: 1,
          stacking: 'stackable',
          scope: { type: 'chain' },
          currency: 'EUR',
          rule: { type: 'percent_off', target: { skus: ['MILK-1'] }, percent: 20 },
        },
      });
      const view = add(saleId, { sku: 'MILK-1', qty: 2 });
      expect(view.lines[0]?.adjustments[0]).toMatchObject({
        kind: 'promotion',
        promotionId: 'promo-milk',
        amount: 52,
      });
      expect(view.promotions).toEqual([
        { promotionId: 'promo-milk', version: 3, name: 'Milk 20% off', total: 52 },
      ]);
      pay(saleId, { type: 'card', amount: 206, reference: 'AUTH-1' });
      const done = complete(saleId);
      expect(done.promotions).toEqual(view.promotions);
      expect(checkedOutbox(node.engine).at(-1)?.payload).toMatchObject({
        promotionIds: ['promo-milk'],
        promotions: [{ promotionId: 'promo-milk', version: 3 }],
        totals: { subtotal: 258, discount: 52, total: 206 },
      });
    });
    it("shows each completed sale's own adjustments and taxes, as its cart showed them", () => {
      const first = setUp();
      feed({
        entity: 'promotion',
        key: 'promo-milk',
        data: {
          promotionId: 'promo-milk',
          version: 3,
          name: 'Milk 20% off',
          priority: 1,
          stacking: 'stackable',
          scope: { type: 'chain' },
          currency: 'EUR',
          rule: { type: 'percent_off', target: { skus: ['MILK-1'] }, percent: 20 },
        },
      });
      const carts: SaleView[] = [];
      const done: SaleView[] = [];
      for (const [index, qty] of [2, 3].entries()) {
        const saleId = index === 0 ? first : expectOk(node.engine.execute('sale-start', {}, as())).saleId;
        add(saleId, { sku: 'APPLE-1' });
        const cart = add(saleId, { sku: 'MILK-1', qty });
        pay(saleId, { type: 'card', amount: cart.totals.total, reference: `AUTH-${index}` });
        carts.push(cart);
        done.push(complete(saleId));
      }
      for (const [index, view] of done.entries()) {
        const cart = carts[index] as SaleView;
        const stored = expectOk(node.engine.execute('sale-get', { saleId: view.saleId }, as()));
        expect(stored).toEqual(view);
        expect(
          view.lines.map(({ lineId, adjustments, tax, net }) => ({ lineId, adjustments, tax, net })),
        ).toEqual(cart.lines.map(({ lineId, adjustments, tax, net }) => ({ lineId, adjustments, tax, net })));
        expect(view.taxSummary).toEqual(cart.taxSummary);
        expect(view.totals).toEqual(cart.totals);
      }
      expect(done[1]?.lines[1]?.adjustments).toHaveLength(1);
      expect(done[1]?.taxSummary.length).toBeGreaterThan(0);
    });
  });

  describe('sale-add-tender / sale-complete', () => {
    it('completes a paid sale atomically with receipt number, rows, stock movements and one sale.completed event', () => {
      const saleId = setUp();
      add(saleId, { sku: 'APPLE-1', qty: 2 });
      add(saleId, { sku: 'MILK-1' });
      pay(saleId, { type: 'card', amount: 100, reference: 'AUTH-77' });
      const paying = pay(saleId, { type: 'cash', amount: 200 });
      expect(paying.payment).toEqual({
        remaining: 0,
        cashDue: 0,
        change: 81,
        cashRounding: 0,
        complete: true,
      });
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      const done = complete(saleId);
      expect(done).toMatchObject({ status: 'completed', receiptNumber: 'S001-3-000001' });
      expect(done.tenders).toEqual([
        expect.objectContaining({ type: 'card', amount: 100, tendered: 100, reference: 'AUTH-77' }),
        expect.objectContaining({ type: 'cash', amount: 119, tendered: 200, change: 81 }),
      ]);
      const event = checkedOutbox(node.engine).at(-1);
      expect(event).toMatchObject({
        type: 'sale.completed',
        payload: {
          saleId,
          receiptNumber: 'S001-3-000001',
          totals: { total: 219, paid: 219, change: 81, cashRounding: 0 },
          movements: [
            { sku: 'APPLE-1', type: 'POS_SALE', bucket: 'sellable', delta: -2 },
            { sku: 'MILK-1', type: 'POS_SALE', bucket: 'sellable', delta: -1 },
          ],
        },
      });
      expect(countRows(node.engine, 'sale_lines')).toBe(2);
      expect(countRows(node.engine, 'sale_tax_lines')).toBe(2);
      expect(countRows(node.engine, 'sale_tenders')).toBe(2);
      expect(
        localStock(node.engine.db, node.engine.identity, ['APPLE-1', 'MILK-1']).map(
          (level) => level.sellable,
        ),
      ).toEqual([18, 9]);
      expect(seen.map((notification) => notification.name)).toEqual([
        'sale-completed',
        'stock-changed',
        'sync-status',
      ]);
      const report = expectOk(node.engine.execute('shift-x-report', {}, as()));
      expect(report).toMatchObject({
        salesCount: 1,
        salesTotal: 219,
        cashSales: 119,
        expectedCash: 10_119,
        byTender: { card: 100, cash: 119 },
      });
      expect(expectOk(node.engine.execute('sale-find', { receiptNumber: 'S001-3-000001' }, as()))).toEqual(
        done,
      );
      const next = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      add(next, { sku: 'APPLE-1' });
      pay(next, { type: 'cash', amount: 45 });
      expect(complete(next).receiptNumber).toBe('S001-3-000002');
    });

    it('refuses to complete while money is still due, consuming no receipt number', () => {
      const saleId = setUp();
      add(saleId, { sku: 'MILK-1' });
      pay(saleId, { type: 'cash', amount: 100 });
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute('sale-complete', { saleId }, as()),
        'INSUFFICIENT_TENDER',
      );
      expect(error.message).toBe('€0.29 is still due (€0.29 in cash). Take another payment.');
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('refuses a card payment larger than what is due, and completing an empty sale', () => {
      const saleId = setUp();
      expectError(node.engine.execute('sale-complete', { saleId }, as()), 'INVALID_INPUT');
      add(saleId, { sku: 'MILK-1' });
      expectError(
        node.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'card', amount: 130, reference: 'A' } },
          as(),
        ),
        'LIMIT_EXCEEDED',
      );
      const tenderId = pay(saleId, { type: 'card', amount: 29, reference: 'A' }).tenders[0]!.tenderId;
      const removed = expectOk(node.engine.execute('sale-remove-tender', { saleId, tenderId }, as()));
      expect(removed.tenders).toEqual([]);
    });

    it('spreads cash rounding over the lines so what they paid sums to the tenders', () => {
      const saleId = setUp({ setup: { cashRoundingIncrement: 5 } });
      add(saleId, { sku: 'APPLE-1' });
      add(saleId, { sku: 'MILK-1' });
      const paying = pay(saleId, { type: 'cash', amount: 200 });
      expect(paying.totals.cashDue).toBe(175);
      expect(paying.payment).toMatchObject({ cashRounding: 1, change: 25, complete: true });
      const done = complete(saleId);
      expect(done.lines.reduce((total, line) => total + line.paid, 0)).toBe(175);
      expect(checkedOutbox(node.engine).at(-1)?.payload).toMatchObject({
        totals: { total: 174, cashRounding: 1, paid: 175 },
      });
    });
  });

  describe('sale-park / sale-resume / sale-list-parked', () => {
    it('puts a sale aside and brings it back on another register', () => {
      const saleId = setUp();
      add(saleId, { sku: 'MILK-1', qty: 2 });
      expect(expectOk(node.engine.execute('sale-park', { saleId }, as())).status).toBe('parked');
      expectError(node.engine.execute('sale-add-line', { saleId, sku: 'MILK-1' }, as()), 'CONFLICT');
      const parked = expectOk(node.engine.execute('sale-list-parked', {}, as())).sales;
      expect(parked).toEqual([expect.objectContaining({ saleId, lines: 1, total: 258 })]);
      expectOk(node.engine.execute('shift-open', { registerId: 'lane-2', float: 0 }, as('cashier2')));
      const resumed = expectOk(
        node.engine.execute('sale-resume', { saleId, registerId: 'lane-2' }, as('cashier2')),
      );
      expect(resumed).toMatchObject({ status: 'open', registerId: 'lane-2', staffId: expect.any(String) });
      expect(expectOk(node.engine.execute('sale-list-parked', {}, as())).sales).toEqual([]);
    });

    it('refuses to park a sale with payments or without items', () => {
      const saleId = setUp();
      expectError(node.engine.execute('sale-park', { saleId }, as()), 'INVALID_INPUT');
      add(saleId, { sku: 'MILK-1' });
      pay(saleId, { type: 'cash', amount: 10 });
      expectError(node.engine.execute('sale-park', { saleId }, as()), 'CONFLICT');
    });
  });

  describe('sale-void', () => {
    it('abandons an unfinished sale with a manager override and records it', () => {
      const saleId = setUp();
      add(saleId, { sku: 'MILK-1' });
      expectError(
        node.engine.execute('sale-void', { saleId, reason: 'customer left' }, as()),
        'OVERRIDE_REQUIRED',
      );
      const voided = expectOk(
        node.engine.execute('sale-void', { saleId, reason: 'customer left' }, as('manager')),
      );
      expect(voided).toMatchObject({ status: 'voided', receiptNumber: null });
      expectError(node.engine.execute('sale-complete', { saleId }, as()), 'CONFLICT');
      expect(checkedOutbox(node.engine).filter((event) => event.type.startsWith('sale.'))).toEqual([]);
    });
  });

  describe('sale-post-void', () => {
    it('cancels a completed sale in the same shift: refunds its tenders and puts the stock back', () => {
      const saleId = setUp();
      add(saleId, { sku: 'APPLE-1', qty: 3 });
      pay(saleId, { type: 'cash', amount: 500 });
      complete(saleId);
      expectError(
        node.engine.execute('sale-post-void', { saleId, reason: 'wrong items' }, as()),
        'OVERRIDE_REQUIRED',
      );
      const voided = expectOk(
        node.engine.execute('sale-post-void', { saleId, reason: 'wrong items' }, as('manager')),
      );
      expect(voided).toMatchObject({ status: 'voided', receiptNumber: 'S001-3-000001' });
      expect(checkedOutbox(node.engine).at(-1)).toMatchObject({
        type: 'sale.voided',
        payload: {
          receiptNumber: 'S001-3-000001',
          refunds: [{ type: 'cash', amount: 135 }],
          movements: [{ sku: 'APPLE-1', type: 'POS_VOID', delta: 3 }],
        },
      });
      expect(localStock(node.engine.db, node.engine.identity, ['APPLE-1'])[0]?.sellable).toBe(20);
      expect(expectOk(node.engine.execute('shift-x-report', {}, as()))).toMatchObject({
        salesCount: 0,
        expectedCash: 10_000,
      });
      expectError(
        node.engine.execute('sale-post-void', { saleId, reason: 'again' }, as('manager')),
        'NOT_ALLOWED',
      );
    });

    it('is refused once the shift of the sale is closed', () => {
      const saleId = setUp();
      add(saleId, { sku: 'APPLE-1' });
      pay(saleId, { type: 'cash', amount: 45 });
      complete(saleId);
      expectOk(node.engine.execute('shift-close', { denominations: [] }, as()));
      expectOk(node.engine.execute('shift-open', { float: 0 }, as()));
      const error = expectError(
        node.engine.execute('sale-post-void', { saleId, reason: 'late' }, as('manager')),
        'NOT_ALLOWED',
      );
      expect(error.message).toBe(
        'Sale S001-3-000001 was made in a shift that is now closed. Use a return instead of a post-void.',
      );
    });
  });

  describe('sale-find', () => {
    it('says clearly when no sale has that receipt number', () => {
      node = createTestNode();
      expectError(node.engine.execute('sale-find', { receiptNumber: 'S001-3-999999' }, as()), 'NOT_FOUND');
    });
  });
});
