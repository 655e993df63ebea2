import { afterEach, describe, expect, it } from 'vitest';
import { adjustStock, startTestHub } from '@retail/hub-server/testing';
import { createLoyaltyHubClient } from '../loyalty/hub-loyalty-client';
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

describe('price-check-nearby', () => {
  let hub: { url: string; credential: string; close: () => Promise<void> } | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  /** A real hub (in-process, SQLite, 127.0.0.1, port 0) with this store and two others holding MILK-1. */
  async function startHub() {
    const world = await startTestHub({
      stores: [
        { nodeId: 'store-1', code: 'S001', latitude: 48.8566, longitude: 2.3522 },
        { nodeId: 'store-far', code: 'S009', latitude: 45.764, longitude: 4.8357 },
        { nodeId: 'store-near', code: 'S002', name: 'Versailles', latitude: 48.8049, longitude: 2.1204 },
      ],
      items: [{ sku: 'MILK-1', unitPrice: 100 }],
    });
    for (const [nodeId, qty] of [
      ['store-near', 4],
      ['store-far', 12],
    ] as const) {
      await adjustStock(
        world.hub,
        { nodeId, reason: 'count', lines: [{ sku: 'MILK-1', bucket: 'sellable', delta: qty }] },
        'test',
      );
    }
    const credential = await world.enrollTill({ storeId: 'store-1' });
    return { url: world.url, credential, close: () => world.close() };
  }

  function tillWith(online: () => boolean) {
    const started = hub!;
    node = createTestNode({
      loyaltyHub: createLoyaltyHubClient({
        connection: () => ({ hubUrl: started.url, credential: started.credential }),
        online,
        timeoutMs: 30_000,
      }),
    });
  }

  it("asks the hub for the other stores' stock, nearest first, and says so plainly when offline", async () => {
    hub = await startHub();
    let online = true;
    tillWith(() => online);
    const answer = expectOk(await node.engine.executeAsync('price-check-nearby', { sku: 'MILK-1' }, as()));
    expect(answer).toMatchObject({
      source: 'hub',
      orderedBy: 'distance',
      stores: [
        { storeId: 'store-near', code: 'S002', name: 'Versailles', onHand: 4, available: 4 },
        { storeId: 'store-far', code: 'S009', onHand: 12, available: 12 },
      ],
    });
    online = false;
    expect(expectOk(await node.engine.executeAsync('price-check-nearby', { sku: 'MILK-1' }, as()))).toEqual({
      source: 'none',
      reason: 'offline',
      message: expect.stringMatching(/^Stock at other stores is not available offline/),
    });
  });

  it("passes on the hub's refusal of an item it does not know, and refuses a SKU the till does not know", async () => {
    hub = await startHub();
    tillWith(() => true);
    expect(
      expectOk(await node.engine.executeAsync('price-check-nearby', { sku: 'APPLE-1' }, as())),
    ).toMatchObject({ source: 'none', reason: 'refused', message: expect.stringContaining('APPLE-1') });
    expectError(
      await node.engine.executeAsync('price-check-nearby', { sku: 'NO-SUCH-SKU' }, as()),
      'NOT_FOUND',
    );
  });
});
