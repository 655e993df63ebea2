import { describe, expect, it } from 'vitest';
import { readChannelRules } from '../../channels/channel-rules';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0015-split-orders-and-channels on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the orders placed before the upgrade and lets a split order link to them by id', async () => {
    const old = await migration.openAt('0014-live-changes');
    await old.db
      .insertInto('bopis_orders')
      .values({
        order_id: 'before',
        order_number: 'W-1',
        status: 'ROUTED',
        version: 2,
        node_id: 's1',
        priority: 0,
        pickup_code: 'ABC234',
        expires_at: null,
        state: '{}',
        routing: null,
        audience: '["s1"]',
        payment_status: 'authorised',
        idempotency_key: 'k-before',
        request_hash: 'h',
        created_by: 'test',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.close();

    const storage = await migration.open();
    const kept = await storage.db
      .selectFrom('bopis_orders')
      .select(['order_id', 'idempotency_key'])
      .execute();
    expect(kept).toEqual([{ order_id: 'before', idempotency_key: 'k-before' }]);
    expect(await readChannelRules(storage.db, 'web')).toEqual({ channel: 'web', allowSplit: true });
    await storage.db
      .insertInto('customer_order_parts')
      .values({ order_id: 'split-1', part_no: 1, part_order_id: 'before' })
      .execute();
    await expect(
      storage.db
        .insertInto('customer_order_parts')
        .values({ order_id: 'split-2', part_no: 1, part_order_id: 'before' })
        .execute(),
    ).rejects.toThrow();
  });
});
