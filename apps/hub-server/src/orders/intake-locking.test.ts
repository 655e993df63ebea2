import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { verifyProjections } from '../inventory/ledger-reads';
import { createReservation, getReservation } from '../inventory/reservations';
import { readInventoryLevel } from '../inventory/stock-levels';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { placeOrder } from './intake';

/**
 * The intake locks the balances routing chose in one statement across nodes, without first creating the
 * rows routing has just read, and learns from that read whether lapsed holds must be released there.
 * These tests race whole and split orders over several stores and check what must hold whatever the
 * interleaving, and that a lapsed hold at the chosen store is still released.
 */
const RUNS = 6;
const RACE_SKUS = Array.from({ length: RUNS }, (_, index) => `RACE-${index + 1}`);

describe.each(backendKinds())('orders/intake locking on %s', (kind) => {
  let world: BopisWorld;
  let round = 0;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['HOLD', ...RACE_SKUS] });
  });

  afterAll(async () => {
    await world?.dispose();
  });

  it('never promises more than a store holds while whole and split orders race over the stores', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Units of the SKU at s1, s2, s3 (0–3 each), then 4–10 racing orders of 1–5 units, some splittable.
        fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
        fc.array(fc.record({ qty: fc.integer({ min: 1, max: 5 }), split: fc.boolean() }), {
          minLength: 4,
          maxLength: 10,
        }),
        async (stock, orders) => {
          const sku = RACE_SKUS[round % RACE_SKUS.length]!;
          round += 1;
          for (const [index, units] of stock.entries()) {
            if (units > 0) await world.stock(`s${index + 1}`, sku, units);
          }
          const outcomes = await Promise.all(
            orders.map((order) =>
              placeOrder(
                world.hub,
                world.orderBody({
                  lines: [{ lineId: 'l1', sku, qty: order.qty }],
                  splitConsent: order.split,
                }),
                randomUUID(),
                'api-key:test',
                { settings: TEST_SETTINGS },
              ).then(
                () => order.qty,
                (error: unknown) => {
                  // Every refusal is the clear one (HTTP 409), never a lock or deadlock failure.
                  if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK') return 0;
                  throw error;
                },
              ),
            ),
          );
          let committed = 0;
          for (const nodeId of world.stores) {
            const level = await readInventoryLevel(world.storage.db, nodeId, sku);
            expect(level.committed).toBeLessThanOrEqual(level.sellable);
            committed += level.committed;
          }
          expect(committed).toBe(outcomes.reduce((total, units) => total + units, 0));
        },
      ),
      // No shrinking: each run needs a SKU of its own, and a failure is reported as found.
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('releases a lapsed hold at the store it routes to before reserving there', async () => {
    await world.stock('s1', 'HOLD', 3);
    const hold = await createReservation(
      world.hub,
      { nodeId: 's1', sku: 'HOLD', qty: 1, orderRef: 'checkout-1', status: 'HELD', holdTtlMs: 1000 },
      'api-key:test',
    );
    await world.advance(2000);
    const view = await world.place({ lines: [{ lineId: 'l1', sku: 'HOLD', qty: 2 }] });
    expect(view.nodeId).toBe('s1');
    expect((await getReservation(world.storage.db, hold.reservationId)).status).toBe('RELEASED');
    const level = await readInventoryLevel(world.storage.db, 's1', 'HOLD');
    expect(level.committed).toBe(2);
  });
});
