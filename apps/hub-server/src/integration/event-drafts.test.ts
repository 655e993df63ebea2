import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustStock, createTransfer, receiveStock, receiveTransfer } from '../inventory/stock-operations';
import { inHubTransaction } from '../hub-tx';
import { issueStoredCredit } from '../loyalty/loyalty-service';
import { cancelOrder } from '../orders/order-lifecycle';
import { savePriceEntries, savePromotion } from '../pricing/pricing-store';
import { backendKinds } from '../test-support/backends';
import { createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { seedPricing } from '../test-support/fixtures';
import type { IntegrationEvent } from './event-catalog';
import { integrationHead, readIntegrationEvents } from './outbound-log';

describe.each(backendKinds())('integration events of hub changes on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['A', 'B'] });
    await seedPricing(world.hub, { skus: ['A', 'B'] });
  });

  afterAll(async () => {
    await world?.dispose();
  });

  /** Runs `work` and returns the events it logged. */
  async function eventsOf(work: () => Promise<unknown>): Promise<IntegrationEvent[]> {
    const head = await integrationHead(world.storage.db);
    await work();
    return (await readIntegrationEvents(world.storage.db, { after: head, limit: 1000 })).events;
  }
  const types = (events: IntegrationEvent[]) => events.map((event) => event.type);

  it('publishes each order step once, keyed by the order and its version', async () => {
    await world.stock('s1', 'A', 5);
    let orderId = '';
    const placed = await eventsOf(async () => {
      orderId = (await world.place()).orderId;
    });
    expect(types(placed).filter((type) => type.startsWith('order.'))).toEqual([
      'order.placed',
      'order.allocated',
    ]);
    expect(placed.find((event) => event.type === 'order.allocated')).toMatchObject({
      aggregate: { type: 'order', id: orderId },
      nodeId: 's1',
      data: { status: 'ROUTED', nodeId: 's1', lines: [{ sku: 'A', qty: 1 }] },
    });
    const cancelled = await eventsOf(() =>
      cancelOrder(world.hub, orderId, { reason: 'customer_request' }, { actor: 'test', customer: true }),
    );
    expect(types(cancelled).filter((type) => type.startsWith('order.'))).toEqual(['order.cancelled']);
    expect(cancelled[0]!.data).toMatchObject({ status: 'CANCELLED', cancelReason: 'customer_request' });
  });

  it('publishes HQ receipts, adjustments and transfers with their movements, variance and exception', async () => {
    const receipt = await eventsOf(() =>
      receiveStock(
        world.hub,
        { nodeId: 's2', reference: 'DN-7', lines: [{ sku: 'B', qty: 10, bucket: 'sellable' }] },
        'user:hq',
      ),
    );
    expect(types(receipt)).toEqual(['stock.received', 'availability.changed']);
    expect(receipt[0]!.data).toMatchObject({
      nodeId: 's2',
      recordedBy: 'user:hq',
      source: { type: 'supplier', reference: 'DN-7' },
      movements: [{ sku: 'B', delta: 10, bucket: 'sellable', type: 'RECEIPT' }],
    });
    const adjusted = await eventsOf(() =>
      adjustStock(
        world.hub,
        { nodeId: 's2', reason: 'broken', lines: [{ sku: 'B', bucket: 'sellable', delta: -1 }] },
        'user:hq',
      ),
    );
    expect(types(adjusted)).toEqual(['stock.adjusted', 'availability.changed']);

    let transferId = '';
    const shipped = await eventsOf(async () => {
      transferId = (
        await createTransfer(
          world.hub,
          { fromNodeId: 's2', toNodeId: 's3', lines: [{ sku: 'B', qty: 4 }] },
          'user:hq',
        )
      ).transferId;
    });
    expect(types(shipped)).toEqual(['transfer.shipped', 'availability.changed', 'availability.changed']);
    expect(shipped[0]!.data).toMatchObject({
      transferId,
      status: 'in_transit',
      fromNodeId: 's2',
      toNodeId: 's3',
      lines: [{ sku: 'B', shipped: 4, received: 0 }],
    });
    const received = await eventsOf(() =>
      receiveTransfer(world.hub, transferId, { lines: [{ sku: 'B', qty: 3 }] }, 'user:hq'),
    );
    expect(types(received)).toEqual([
      'transfer.received',
      'transfer.variance',
      'exception.raised',
      'availability.changed',
    ]);
    expect(received[1]!.data).toMatchObject({
      variances: [{ sku: 'B', shipped: 4, received: 3, difference: -1 }],
    });
    expect(received[2]!.data).toMatchObject({ exceptionType: 'TRANSFER_VARIANCE', nodeId: 's3' });
  });

  it('publishes price and promotion versions with what they changed', async () => {
    const prices = await eventsOf(() =>
      savePriceEntries(
        world.hub,
        'pb-chain',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 1234 }] }] },
        'user:hq',
      ),
    );
    expect(types(prices)).toEqual(['prices.published']);
    expect(prices[0]!.data).toMatchObject({
      priceBookId: 'pb-chain',
      version: 3,
      prices: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 1234 }] }],
      removedSkus: [],
    });
    const promotion = await eventsOf(() =>
      savePromotion(
        world.hub,
        'promo-1',
        {
          promotion: {
            name: 'Ten off',
            scope: { type: 'chain' },
            priority: 1,
            stacking: 'exclusive',
            currency: 'USD',
            rule: { type: 'percent_off', target: { skus: ['A'] }, percent: 10 },
          },
        },
        'user:hq',
      ),
    );
    expect(types(promotion)).toEqual(['promotion.published']);
    expect(promotion[0]).toMatchObject({
      aggregate: { type: 'promotion', id: 'promo-1' },
      data: { version: 1 },
    });
  });

  it('publishes stored-value ledger entries with the store and its business date', async () => {
    const entries = await eventsOf(() =>
      inHubTransaction(world.hub, (tx) =>
        issueStoredCredit(tx, {
          number: 'CREDIT-000123',
          issueId: 'issue-1',
          amount: 2500,
          currency: 'USD',
          nodeId: 's1',
          sourceDoc: 'return-9',
        }),
      ),
    );
    expect(types(entries)).toEqual(['stored_value.entry_recorded']);
    expect(entries[0]).toMatchObject({
      nodeId: 's1',
      data: {
        kind: 'store_credit',
        type: 'ISSUE',
        amount: 2500,
        currency: 'USD',
        nodeId: 's1',
        sourceDocument: 'return-9',
      },
    });
    expect((entries[0]!.data as { businessDate: string }).businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
