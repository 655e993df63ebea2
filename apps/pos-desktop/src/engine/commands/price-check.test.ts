import { afterEach, describe, expect, it } from 'vitest';
import { createTestNode, expectError, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const as = () => ({ session: node.sessions.cashier });

function promotion(promotionId: string, data: Record<string, unknown>) {
  const now = node.clock.now();
  return {
    hubSeq: 0,
    entity: 'promotion' as const,
    key: promotionId,
    op: 'upsert' as const,
    data: {
      promotionId,
      version: 1,
      name: promotionId,
      priority: 1,
      stacking: 'stackable',
      scope: { type: 'chain' },
      currency: 'EUR',
      startsAt: now - 1,
      endsAt: now + 3_600_000,
      rule: { type: 'percent_off', target: { skus: ['APPLE-1'] }, percent: 20 },
      ...data,
    },
  };
}

describe('price-check', () => {
  it('answers price, the promotions in force that concern the item, and the stock here, without a sale', () => {
    node = createTestNode();
    const changes = [
      promotion('apple-week', { name: 'Apple week' }),
      promotion('three-for-two', {
        name: 'Three for two',
        endsAt: undefined,
        rule: { type: 'multi_buy', target: { skus: ['APPLE-1', 'MILK-1'] }, qty: 3, price: 90 },
      }),
      promotion('milk-only', { rule: { type: 'percent_off', target: { skus: ['MILK-1'] }, percent: 10 } }),
      promotion('other-store', { scope: { type: 'store', storeId: 'store-elsewhere' } }),
      promotion('next-week', {
        startsAt: node.clock.now() + 86_400_000,
        endsAt: node.clock.now() + 2 * 86_400_000,
      }),
    ].map((change, index) => ({ ...change, hubSeq: 900 + index }));
    node.engine.applyFeed({ epoch: 'test-epoch', changes });

    const before = node.engine.db.prepare('SELECT COUNT(*) AS n FROM sales').get() as { n: number };
    const checked = expectOk(node.engine.execute('price-check', { code: TEST_SKUS.apple.barcode }, as()));
    expect(checked.item).toMatchObject({ sku: 'APPLE-1', price: { unitPrice: 45 } });
    expect(checked.promotions).toEqual([
      {
        promotionId: 'apple-week',
        name: 'Apple week',
        description: expect.stringContaining('20%'),
        endsAt: new Date(node.clock.now() + 3_600_000).toISOString(),
      },
      { promotionId: 'three-for-two', name: 'Three for two', description: expect.any(String), endsAt: null },
    ]);
    expect(checked.stock).toMatchObject({ sku: 'APPLE-1', sellable: expect.any(Number) });
    // Nothing was started or written.
    expect(node.engine.db.prepare('SELECT COUNT(*) AS n FROM sales').get()).toEqual(before);

    expect(
      expectOk(node.engine.execute('price-check', { sku: 'MILK-1' }, as())).promotions.map(
        (p) => p.promotionId,
      ),
    ).toEqual(['three-for-two', 'milk-only']);
    expectError(node.engine.execute('price-check', { code: '0000000000000' }, as()), 'UNKNOWN_BARCODE');
    expectError(node.engine.execute('price-check', { sku: 'NOPE-1' }, as()), 'NOT_FOUND');
  });
});
