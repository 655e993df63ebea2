import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0018-ship-orders-and-payments on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps nodes and orders: existing nodes ship nothing, existing orders are pickup orders', async () => {
    const old = await migration.openAt('0017-delivery-terms');
    await old.db
      .insertInto('nodes')
      .values({
        node_id: 's1',
        code: 'S1',
        name: 'Store 1',
        kind: 'store',
        region: 'north',
        latitude: null,
        longitude: null,
        pickup_enabled: 1,
        pick_capacity: 10,
        jurisdiction: 'IE',
        currency: 'EUR',
        timezone: 'Europe/Dublin',
        active: 1,
        version: 1,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.db
      .insertInto('bopis_orders')
      .values({
        order_id: 'o1',
        order_number: 'W-1',
        status: 'ROUTED',
        version: 2,
        node_id: 's1',
        priority: 0,
        pickup_code: 'ABC123',
        expires_at: null,
        state: '{}',
        routing: null,
        audience: '["s1"]',
        payment_status: 'authorised',
        idempotency_key: 'k1',
        request_hash: 'hash',
        created_by: 'test',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.close();

    const storage = await migration.open();
    const node = await storage.db
      .selectFrom('nodes')
      .select(['ship_enabled', 'ship_pick_capacity', 'pick_capacity'])
      .executeTakeFirstOrThrow();
    expect(node).toEqual({ ship_enabled: 0, ship_pick_capacity: 0, pick_capacity: 10 });
    const order = await storage.db
      .selectFrom('bopis_orders')
      .select(['order_id', 'fulfilment'])
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ order_id: 'o1', fulfilment: 'pickup' });
    expect(await storage.db.selectFrom('payment_operations').selectAll().execute()).toEqual([]);
    expect(await storage.db.selectFrom('order_returns').selectAll().execute()).toEqual([]);
  });
});
