import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0012-enrollment-retry-key on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the codes already given out, used or not, with no retry key', async () => {
    const old = await migration.openAt('0011-integration-journal');
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
      .insertInto('enrollment_codes')
      .values([
        {
          code_hash: 'unused',
          node_id: 's1',
          created_by: 'user:hq',
          created_at: 1,
          expires_at: 9,
          used_at: null,
          device_id: null,
        },
        {
          code_hash: 'used',
          node_id: 's1',
          created_by: 'user:hq',
          created_at: 1,
          expires_at: 9,
          used_at: 2,
          device_id: 'd1',
        },
      ])
      .execute();
    await old.close();

    const storage = await migration.open();
    const rows = await storage.db
      .selectFrom('enrollment_codes')
      .select(['code_hash', 'used_at', 'device_id', 'retry_key_hash'])
      .orderBy('code_hash')
      .execute();
    expect(
      rows.map((row) => ({ ...row, used_at: row.used_at === null ? null : Number(row.used_at) })),
    ).toEqual([
      { code_hash: 'unused', used_at: null, device_id: null, retry_key_hash: null },
      { code_hash: 'used', used_at: 2, device_id: 'd1', retry_key_hash: null },
    ]);
  });
});
