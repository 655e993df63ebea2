import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoreNotification } from '../../shared/notifications';
import { createTestNode, expectOk, TEST_SKUS, TEST_START, type TestNode } from '../testing/test-node';
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
});
