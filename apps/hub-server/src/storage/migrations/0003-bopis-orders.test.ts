import { afterEach, describe, expect, it } from 'vitest';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import type { BopisOrderTable } from '../schema';

function orderRow(orderId: string, idempotencyKey: string | null): BopisOrderTable {
  return {
    order_id: orderId,
    order_number: orderId.toUpperCase(),
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
    idempotency_key: idempotencyKey,
    request_hash: 'hash',
    created_by: 'test',
    created_at: 1,
    updated_at: 1,
  };
}

describe.each(backendKinds())('storage/migrations/0003-bopis-orders on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('upgrades a filled database, keeping reservations and the feed, and adds the order tables', async () => {
    database = await createTestDatabase(kind);
    const old = await database.open({ migrateUpTo: '0002-feed-key-per-scope' });
    await old.db
      .insertInto('reservations')
      .values({
        reservation_id: 'r1',
        node_id: 's1',
        sku: 'A',
        qty: 2,
        status: 'ACTIVE',
        priority: 0,
        order_ref: 'web-1:l1',
        idempotency_key: null,
        backorder: 0,
        expires_at: null,
        replaced_by: null,
        version: 1,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.db
      .insertInto('feed_changes')
      .values({
        hub_seq: 1,
        entity: 'config',
        entity_key: 'a',
        op: 'upsert',
        data: '{"key":"a","value":1}',
        scope: '*',
        created_at: 1,
      })
      .execute();
    await old.close();

    const upgraded = await database.open();
    const reservation = await upgraded.db
      .selectFrom('reservations')
      .select(['reservation_id', 'status'])
      .executeTakeFirstOrThrow();
    expect(reservation).toEqual({ reservation_id: 'r1', status: 'ACTIVE' });
    const feed = await upgraded.db.selectFrom('feed_changes').select('entity_key').execute();
    expect(feed).toEqual([{ entity_key: 'a' }]);

    await upgraded.db.insertInto('bopis_orders').values(orderRow('o-1', 'key-1')).execute();
    // Orders placed without an idempotency key (HQ tools) do not collide on the unique index.
    await upgraded.db.insertInto('bopis_orders').values(orderRow('o-2', null)).execute();
    await upgraded.db.insertInto('bopis_orders').values(orderRow('o-3', null)).execute();
    await expect(
      upgraded.db.insertInto('bopis_orders').values(orderRow('o-4', 'key-1')).execute(),
    ).rejects.toThrow();
    await upgraded.db
      .insertInto('bopis_order_timeline')
      .values({
        order_id: 'o-1',
        seq: 1,
        at: 1,
        kind: 'placed',
        actor: 'hub',
        message: 'Placed.',
        data: '{}',
      })
      .execute();
    await expect(
      upgraded.db
        .insertInto('bopis_order_timeline')
        .values({ order_id: 'o-1', seq: 1, at: 2, kind: 'routed', actor: 'hub', message: 'x', data: '{}' })
        .execute(),
    ).rejects.toThrow();
    await upgraded.db
      .insertInto('bopis_notifications')
      .values({
        notification_id: 'n1',
        order_id: 'o-1',
        kind: 'ready_for_pickup',
        payload: '{}',
        status: 'pending',
        attempts: 0,
        next_attempt_at: 1,
        lease_until: null,
        last_error: null,
        last_status_code: null,
        created_at: 1,
        updated_at: 1,
        delivered_at: null,
      })
      .execute();
    const due = await upgraded.db
      .selectFrom('bopis_notifications')
      .select('notification_id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', 5)
      .execute();
    expect(due).toEqual([{ notification_id: 'n1' }]);
    await upgraded.close();
  });
});
