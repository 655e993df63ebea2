import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0027-store-created-staff on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the staff stores were known by and records store-created staff and role doubts after it', async () => {
    const old = await migration.openAt('0026-receipt-emails');
    await old.db
      .insertInto('store_staff')
      .values({ staff_id: 'ann', node_id: 's1', first_event_id: 'e1', first_seen_at: 10 })
      .execute();
    await old.close();

    const storage = await migration.open();
    expect(await storage.db.selectFrom('store_staff').select(['staff_id', 'node_id']).execute()).toEqual([
      { staff_id: 'ann', node_id: 's1' },
    ]);
    const row = {
      staff_id: 'bob',
      node_id: 's1',
      device_id: 'd1',
      event_id: 'e2',
      staff_code: 'B1',
      name: 'Bob',
      claimed_role: 'manager',
      role: 'cashier',
      status: 'rejected' as const,
      reason: 'ann is a cashier',
      created_by: 'ann',
      created_at: 20,
      recorded_at: 21,
      judged_at: 21,
      exception_id: 'x1',
    };
    await storage.db.insertInto('store_created_staff').values(row).execute();
    // One record per staff id: a second creation of the same person is not a second row.
    await expect(storage.db.insertInto('store_created_staff').values(row).execute()).rejects.toThrow();
    expect(
      await storage.db
        .selectFrom('store_created_staff')
        .select(['staff_id', 'role', 'status'])
        .where('created_by', '=', 'ann')
        .execute(),
    ).toEqual([{ staff_id: 'bob', role: 'cashier', status: 'rejected' }]);
    const doubt = { exception_id: 'x2', staff_id: 'cy', node_id: 's1', claimed_role: 'manager' };
    await storage.db.insertInto('staff_role_doubts').values(doubt).execute();
    await expect(storage.db.insertInto('staff_role_doubts').values(doubt).execute()).rejects.toThrow();
  });
});
