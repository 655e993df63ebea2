import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoreNotification } from '../../shared/notifications';
import {
  checkedOutbox,
  createTestNode,
  expectError,
  expectOk,
  TEST_SKUS,
  TEST_START,
  type TestNode,
} from '../testing/test-node';
import { nextPricingChangeAt } from './price-switch';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
  vi.useRealTimers();
});

const MINUTE = 60_000;
let hubSeq = 9000;

function publish(
  target: TestNode,
  options: { bookStartsAt?: number; bookEndsAt?: number; promotionEndsAt?: number },
) {
  const changes: { entity: string; key: string; data: unknown }[] = [
    {
      entity: 'price_book',
      key: 'pb-sale',
      data: {
        priceBookId: 'pb-sale',
        version: 1,
        name: 'Weekend sale',
        currency: 'EUR',
        scope: { type: 'chain' },
        priority: 10,
        taxInclusive: true,
        ...(options.bookStartsAt === undefined ? {} : { startsAt: options.bookStartsAt }),
        ...(options.bookEndsAt === undefined ? {} : { endsAt: options.bookEndsAt }),
      },
    },
    {
      entity: 'price',
      key: `pb-sale:${TEST_SKUS.apple.sku}`,
      data: { priceBookId: 'pb-sale', sku: TEST_SKUS.apple.sku, tiers: [{ minQty: 1, unitPrice: 30 }] },
    },
  ];
  if (options.promotionEndsAt !== undefined) {
    changes.push({
      entity: 'promotion',
      key: 'promo-milk',
      data: {
        promotionId: 'promo-milk',
        version: 1,
        name: 'Milk 10 off',
        priority: 0,
        stacking: 'stackable',
        startsAt: TEST_START - MINUTE,
        endsAt: options.promotionEndsAt,
        scope: { type: 'chain' },
        currency: 'EUR',
        rule: { type: 'amount_off', target: { skus: [TEST_SKUS.milk.sku] }, amount: 10 },
      },
    });
  }
  target.engine.applyFeed({
    epoch: 'test-epoch',
    changes: changes.map((change) => ({ ...change, op: 'upsert' as const, hubSeq: (hubSeq += 1) })),
  });
}

describe('sales/price-switch', () => {
  describe('nextPricingChangeAt', () => {
    it('is the earliest start or end of a price book or promotion strictly after the time', () => {
      node = createTestNode();
      expect(nextPricingChangeAt(node.engine.db, TEST_START)).toBeUndefined();
      publish(node, {
        bookStartsAt: TEST_START + 10 * MINUTE,
        bookEndsAt: TEST_START + 60 * MINUTE,
        promotionEndsAt: TEST_START + 30 * MINUTE,
      });
      expect(nextPricingChangeAt(node.engine.db, TEST_START)).toBe(TEST_START + 10 * MINUTE);
      expect(nextPricingChangeAt(node.engine.db, TEST_START + 10 * MINUTE)).toBe(TEST_START + 30 * MINUTE);
      expect(nextPricingChangeAt(node.engine.db, TEST_START + 30 * MINUTE)).toBe(TEST_START + 60 * MINUTE);
      expect(nextPricingChangeAt(node.engine.db, TEST_START + 60 * MINUTE)).toBeUndefined();
    });
  });

  describe('the engine timer', () => {
    it('tells the screens when a scheduled price starts, offline, and the open sale then shows it', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      node = createTestNode();
      const current = node;
      const cashier = { session: current.sessions.cashier };
      const heard: StoreNotification[] = [];
      current.engine.subscribe((notification) => {
        if (notification.name === 'prices-changed') heard.push(notification);
      });
      expectOk(current.engine.execute('shift-open', { float: 10_000 }, cashier));
      const { saleId } = expectOk(current.engine.execute('sale-start', {}, cashier));
      expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, cashier));
      const startsAt = TEST_START + 5 * MINUTE;
      publish(current, { bookStartsAt: startsAt, promotionEndsAt: startsAt + MINUTE });

      // The timer runs on real time but counts against the engine's clock: one ms short, nothing.
      current.clock.set(startsAt - 1);
      vi.advanceTimersByTime(5 * MINUTE - 1);
      expect(heard).toEqual([]);
      current.clock.set(startsAt);
      vi.advanceTimersByTime(1);
      expect(heard).toEqual([{ name: 'prices-changed', payload: { at: new Date(startsAt).toISOString() } }]);
      const sale = expectOk(current.engine.execute('sale-get', { saleId }, cashier));
      expect(sale.lines[0]?.unitPrice).toBe(30);

      // It re-arms for the next boundary (the promotion's end), and stops with the engine.
      current.clock.set(startsAt + MINUTE);
      vi.advanceTimersByTime(MINUTE);
      expect(heard.map((notification) => notification.payload)).toEqual([
        { at: new Date(startsAt).toISOString() },
        { at: new Date(startsAt + MINUTE).toISOString() },
      ]);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('a price that drops under a card already taken', () => {
    it('shows the sale over-tendered, refuses to complete it, and completes at the new price once re-paid', () => {
      node = createTestNode();
      const current = node;
      const cashier = { session: current.sessions.cashier };
      expectOk(current.engine.execute('shift-open', { float: 10_000 }, cashier));
      const { saleId } = expectOk(current.engine.execute('sale-start', {}, cashier));
      expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, cashier));
      const startsAt = TEST_START + 5 * MINUTE;
      publish(current, { bookStartsAt: startsAt });
      const before = expectOk(current.engine.execute('sale-get', { saleId }, cashier));
      const oldTotal = before.totals.total;
      expect(before.lines[0]?.unitPrice).toBeGreaterThan(30);
      const paid = expectOk(
        current.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'card', amount: oldTotal, reference: 'AUTH-1' } },
          cashier,
        ),
      );
      const cardId = paid.tenders[0]!.tenderId;

      // The sale book starts (the node's timer would now say prices-changed): the view still loads.
      current.clock.set(startsAt);
      const dropped = expectOk(current.engine.execute('sale-get', { saleId }, cashier));
      expect(dropped.totals.total).toBe(30);
      expect(dropped.payment).toMatchObject({
        remaining: 0,
        complete: false,
        overTendered: { amount: oldTotal - 30, tenderIds: [cardId], dueOnceRemoved: 30 },
      });
      expect(dropped.tenders[0]).toMatchObject({
        tendered: oldTotal,
        amount: 30,
        overTendered: oldTotal - 30,
      });

      const refused = expectError(
        current.engine.execute('sale-complete', { saleId }, cashier),
        'LIMIT_EXCEEDED',
      );
      expect(refused.message).toBe(
        `The price dropped: card payment €${(oldTotal / 100).toFixed(2)} is €${((oldTotal - 30) / 100).toFixed(2)} more than due, and only cash gives change. Remove it and take €0.30.`,
      );
      expect(refused).toMatchObject({ key: 'sale.overTenderedRemoveTake' });
      // Adding another tender on top stays refused, as any tender beyond what is due.
      expectError(
        current.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'card', amount: 1, reference: 'AUTH-2' } },
          cashier,
        ),
        'LIMIT_EXCEEDED',
      );
      expect(checkedOutbox(current.engine).filter((event) => event.type === 'sale.completed')).toEqual([]);

      const removed = expectOk(
        current.engine.execute('sale-remove-tender', { saleId, tenderId: cardId }, cashier),
      );
      expect(removed.payment.remaining).toBe(30);
      expect(removed.payment.overTendered).toBeUndefined();
      expectError(
        current.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'card', amount: oldTotal, reference: 'AUTH-3' } },
          cashier,
        ),
        'LIMIT_EXCEEDED',
      );
      expectOk(
        current.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'card', amount: 30, reference: 'AUTH-4' } },
          cashier,
        ),
      );
      const done = expectOk(current.engine.execute('sale-complete', { saleId }, cashier));
      expect(done.status).toBe('completed');
      const completed = checkedOutbox(current.engine).filter((event) => event.type === 'sale.completed');
      expect(completed).toHaveLength(1);
      expect(completed[0]?.payload).toMatchObject({
        saleId,
        lines: [{ sku: TEST_SKUS.apple.sku, unitPrice: 30, priceBookId: 'pb-sale' }],
        totals: { total: 30, paid: 30, change: 0 },
        tenders: [{ type: 'card', amount: 30, reference: 'AUTH-4' }],
      });
    });
  });
});
