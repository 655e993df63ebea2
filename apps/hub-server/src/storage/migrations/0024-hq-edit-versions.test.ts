import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0024-hq-edit-versions on %s', (kind) => {
  const migration = migrationTest(kind);

  it('gives existing devices and webhook endpoints version 1 and starts HQ transfer numbers empty', async () => {
    const old = await migration.openAt('0023-settings-history');
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
        pickup_enabled: 0,
        pick_capacity: 0,
        ship_enabled: 0,
        ship_pick_capacity: 0,
        jurisdiction: 'US-NY',
        currency: 'USD',
        timezone: 'UTC',
        active: 1,
        version: 1,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.db
      .insertInto('devices')
      .values({
        device_id: 'd1',
        node_id: 's1',
        device_no: 1,
        name: 'Lane 1',
        credential_hash: 'h',
        enrolled_at: 1,
        revoked_at: null,
        last_seen_at: null,
        last_seq: 0,
        last_push_at: null,
        outbox_pending: null,
        outbox_oldest_at: null,
      } as never)
      .execute();
    await old.db
      .insertInto('integration_subscriptions')
      .values({
        subscription_id: 'w1',
        name: 'ERP',
        url: 'http://127.0.0.1:9/',
        secret: 'whsec_0123456789abcdef',
        types: '[]',
        status: 'active',
        scan_position: 0,
        max_attempts: 5,
        max_lag_seconds: 900,
        created_by: 'test',
        created_at: 1,
        updated_at: 1,
      } as never)
      .execute();
    await old.close();
    const storage = await migration.open();
    expect(await storage.db.selectFrom('devices').select(['device_id', 'name', 'version']).execute()).toEqual(
      [{ device_id: 'd1', name: 'Lane 1', version: 1 }],
    );
    expect(
      await storage.db
        .selectFrom('integration_subscriptions')
        .select(['subscription_id', 'version'])
        .execute(),
    ).toEqual([{ subscription_id: 'w1', version: 1 }]);
    expect(await storage.db.selectFrom('hq_transfer_numbers').selectAll().execute()).toEqual([]);
  });
});
