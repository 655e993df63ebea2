import { afterEach, describe, expect, it } from 'vitest';
import { findSale, readDraft } from './draft';
import { priceSale } from './sale-pricing';
import { createTestNode, expectOk, storeNode, taxRate, TEST_SKUS, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('sales/sale-pricing: the store a cart is priced for', () => {
  it('follows the store row the feed writes: its region and its jurisdiction', () => {
    node = createTestNode();
    const current = node;
    const as = { session: current.sessions.cashier };
    expectOk(current.engine.execute('shift-open', { float: 10_000 }, as));
    const { saleId } = expectOk(current.engine.execute('sale-start', {}, as));
    const appleTotal = () =>
      expectOk(current.engine.execute('sale-get', { saleId }, as)).lines[0]?.paid ?? Number.NaN;
    const scan = () =>
      expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, as));
    // A price book for the north region only, and a tax rate of a jurisdiction the store is not in yet.
    current.engine.applyFeed({
      epoch: 'test-epoch',
      changes: [
        {
          entity: 'price_book',
          key: 'pb-north',
          op: 'upsert',
          hubSeq: 9001,
          data: {
            priceBookId: 'pb-north',
            version: 1,
            name: 'North prices',
            currency: 'EUR',
            scope: { type: 'region', regionId: 'north' },
            priority: 10,
            taxInclusive: false,
          },
        },
        {
          entity: 'price',
          key: `pb-north:${TEST_SKUS.apple.sku}`,
          op: 'upsert',
          hubSeq: 9002,
          data: { priceBookId: 'pb-north', sku: TEST_SKUS.apple.sku, tiers: [{ minQty: 1, unitPrice: 30 }] },
        },
        {
          entity: 'tax_rate',
          key: 'be-food',
          op: 'upsert',
          hubSeq: 9003,
          data: { ...taxRate('be-food', 'food', 6), jurisdictionId: 'BE' },
        },
      ],
    });
    scan();
    // The chain price (45, tax inclusive) in region idf.
    expect(appleTotal()).toBe(45);
    // The store moves to the north region, in Belgium: the next scan prices both apples there.
    current.engine.applyFeed({
      epoch: 'test-epoch',
      changes: [
        {
          entity: 'store',
          key: 'store-1',
          op: 'upsert',
          hubSeq: 9004,
          data: { ...storeNode('store-1', 'S001', 'Paris Bastille'), region: 'north', jurisdiction: 'BE' },
        },
      ],
    });
    const view = scan();
    // 2 × 30 net, and 6 % tax on it: 63.60 for the line of two.
    expect(view.lines).toHaveLength(1);
    expect(view.lines[0]?.qty).toBe(2);
    expect(appleTotal()).toBe(64);
    current.engine.transact('compare-pricing', (ctx) => {
      const draft = readDraft(findSale(ctx, saleId));
      expect(priceSale(ctx, draft, saleId)).toEqual(priceSale(ctx, draft, saleId, { reuse: false }));
    });
  });
});
