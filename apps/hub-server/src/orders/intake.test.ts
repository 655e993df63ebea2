import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { placeOrder } from './intake';

function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  return promise.then(
    () => {
      throw new Error('expected a DomainError');
    },
    (error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
      return error;
    },
  );
}

describe.each(backendKinds())('orders/intake on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['A', 'B', 'LAST', 'X'] });
    await world.stock('s1', 'A', 10);
    await world.stock('s2', 'A', 10);
    await world.stock('s2', 'B', 4);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  describe('placeOrder', () => {
    it('routes to the chosen store, stores the explanation and promises the units HELD then ACTIVE', async () => {
      const view = await world.place({ lines: [{ lineId: 'l1', sku: 'A', qty: 2 }] });
      expect(view).toMatchObject({ status: 'ROUTED', nodeId: 's1', version: 2, paymentStatus: 'authorised' });
      expect(view.pickupCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
      expect(view.routing?.decision).toMatchObject({ outcome: 'routed', nodeId: 's1' });
      const s1 = view.routing?.candidates.find((candidate) => candidate.nodeId === 's1');
      expect(s1).toMatchObject({ eligible: true, rank: 1, chosenStore: true, selected: true });
      expect(view.timeline.map((entry) => entry.kind)).toEqual(['placed', 'routed']);
      expect(view.reservations).toHaveLength(1);
      expect(view.reservations[0]).toMatchObject({ nodeId: 's1', sku: 'A', qty: 2, status: 'ACTIVE' });
      const history = await world.storage.db
        .selectFrom('reservation_history')
        .select(['from_status', 'to_status'])
        .where('reservation_id', '=', view.reservations[0]!.reservationId)
        .orderBy('version')
        .execute();
      expect(history).toEqual([
        { from_status: null, to_status: 'HELD' },
        { from_status: 'HELD', to_status: 'ACTIVE' },
      ]);
      expect(await readInventoryLevel(world.storage.db, 's1', 'A')).toMatchObject({ committed: 2, atp: 8 });
      const feed = await world.storage.db
        .selectFrom('feed_changes')
        .select(['scope', 'data'])
        .where('entity', '=', 'bopis_order')
        .where('entity_key', '=', view.orderId)
        .execute();
      expect(feed.map((row) => row.scope)).toEqual(['s1']);
      expect(JSON.parse(feed[0]!.data!)).toMatchObject({ status: 'ROUTED', nodeId: 's1', version: 2 });
    });

    it('goes to the next store when the chosen one cannot carry the whole order, saying why', async () => {
      const view = await world.place({
        lines: [
          { lineId: 'l1', sku: 'A', qty: 1 },
          { lineId: 'l2', sku: 'B', qty: 2 },
        ],
      });
      expect(view.nodeId).toBe('s2');
      const s1 = view.routing?.candidates.find((candidate) => candidate.nodeId === 's1');
      expect(s1?.eligible).toBe(false);
      expect(s1?.reasons.map((reason) => reason.code)).toEqual(['NOT_STOCKED']);
      expect(view.reservations.map((r) => [r.nodeId, r.sku, r.qty])).toEqual([
        ['s2', 'A', 1],
        ['s2', 'B', 2],
      ]);
    });

    it('answers the same order for the same key and body, and CONFLICT for another body', async () => {
      const key = randomUUID();
      const body = world.orderBody({ lines: [{ lineId: 'l1', sku: 'A', qty: 1 }] });
      const first = await placeOrder(world.hub, body, key, 'api-key:shop', { settings: TEST_SETTINGS });
      const again = await placeOrder(world.hub, { ...body }, key, 'api-key:shop', {
        settings: TEST_SETTINGS,
      });
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect(again.view.orderId).toBe(first.view.orderId);
      expect('reservations' in again.view && again.view.reservations).toHaveLength(1);
      const other = await errorOf(
        placeOrder(world.hub, { ...body, priority: 9 }, key, 'api-key:shop', { settings: TEST_SETTINGS }),
      );
      expect(other.code).toBe('CONFLICT');
      expect(other.message).toMatch(/already used for a different order/);
      // The same order id under another key is a second order, not a retry.
      const clash = await errorOf(
        placeOrder(world.hub, body, randomUUID(), 'api-key:shop', { settings: TEST_SETTINGS }),
      );
      expect(clash).toMatchObject({ code: 'CONFLICT' });
      expect(clash.message).toMatch(/already exists/);
    });

    it('makes exactly one order when the same key races itself', async () => {
      const key = randomUUID();
      const body = world.orderBody({ lines: [{ lineId: 'l1', sku: 'A', qty: 1 }] });
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          placeOrder(world.hub, body, key, 'api-key:shop', { settings: TEST_SETTINGS }),
        ),
      );
      expect(new Set(results.map((result) => result.view.orderId)).size).toBe(1);
      expect(results.filter((result) => !result.replayed)).toHaveLength(1);
      const rows = await world.storage.db
        .selectFrom('reservations')
        .select('reservation_id')
        .where('order_ref', 'like', `bopis:${body.orderId}/%`)
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('names every unknown SKU and an unknown store, writing nothing', async () => {
      const error = await errorOf(
        world.place({
          lines: [
            { lineId: 'l1', sku: 'NOPE', qty: 1 },
            { lineId: 'l2', sku: 'A', qty: 1 },
          ],
          pickup: { type: 'store', storeId: 'nowhere' },
        }),
      );
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.details?.problems).toEqual([
        { path: 'lines.0.sku', message: 'SKU NOPE is not in the catalog.' },
        { path: 'pickup.storeId', message: 'There is no store nowhere.' },
      ]);
    });

    it('refuses an order no store can carry with INSUFFICIENT_STOCK and the explanation, writing nothing', async () => {
      const before = await world.storage.db.selectFrom('bopis_orders').select('order_id').execute();
      const error = await errorOf(world.place({ lines: [{ lineId: 'l1', sku: 'X', qty: 1 }] }));
      expect(error.code).toBe('INSUFFICIENT_STOCK');
      expect(error.message).toMatch(/No store can fulfil order W-\d+ now/);
      const routing = error.details?.routing as { candidates: { nodeId: string }[] };
      expect(routing.candidates.map((candidate) => candidate.nodeId)).toEqual(['s1']);
      const after = await world.storage.db.selectFrom('bopis_orders').select('order_id').execute();
      expect(after).toHaveLength(before.length);
    });

    it('does not route to a store whose tills have been silent, and says so', async () => {
      world.clock.now += TEST_SETTINGS.offlineAfterMs + 1;
      try {
        await world.stock('s1', 'A', 1); // s1 is heard from; s2 and s3 went quiet
        const view = await world.place({ pickup: { type: 'store', storeId: 's2' } });
        expect(view.nodeId).toBe('s1');
        const s2 = view.routing?.candidates.find((candidate) => candidate.nodeId === 's2');
        expect(s2?.reasons.map((reason) => reason.code)).toEqual(['OFFLINE']);
        expect(s2?.reasons[0]?.message).toMatch(/has not synced since/);
      } finally {
        // Back in touch for the following tests.
        for (const nodeId of ['s2', 's3']) await world.stock(nodeId, 'A', 1);
      }
    });
  });

  describe('placeOrder under concurrency', () => {
    it('promises the last units exactly once: 50 racing orders, the rest routed elsewhere or refused', async () => {
      await world.stock('s1', 'LAST', 10);
      await world.stock('s2', 'LAST', 4);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () =>
          world.place({ lines: [{ lineId: 'l1', sku: 'LAST', qty: 1 }] }).then(
            (view) => view.nodeId as string,
            (error: unknown) => {
              if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK') {
                expect(error.message).toMatch(/No store can fulfil/);
                return 'refused';
              }
              throw error;
            },
          ),
        ),
      );
      const count = (what: string) => outcomes.filter((outcome) => outcome === what).length;
      expect(count('s1')).toBe(10);
      expect(count('s2')).toBe(4);
      expect(count('refused')).toBe(36);
      for (const nodeId of ['s1', 's2']) {
        const level = await readInventoryLevel(world.storage.db, nodeId, 'LAST');
        expect(level.committed).toBeLessThanOrEqual(level.sellable);
        expect(level.atp).toBe(0);
      }
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });
  });
});
