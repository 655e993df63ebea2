import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0006-store-staff on %s', (kind) => {
  const migration = migrationTest(kind);

  it('gives every staff member of a recorded shift to the store of the first shift that named them', async () => {
    const old = await migration.openAt('0005-loyalty-ledgers');
    const shift = (shiftId: string, nodeId: string, staffId: string, updatedAt: number) => ({
      shift_id: shiftId,
      node_id: nodeId,
      device_id: `d-${nodeId}`,
      staff_id: staffId,
      currency: 'USD',
      status: 'closed' as const,
      float: 0,
      expected_cash: 0,
      counted_cash: 0,
      over_short: 0,
      opened_at: null,
      closed_at: null,
      updated_at: updatedAt,
    });
    await old.db
      .insertInto('shifts')
      .values([
        shift('sh-2', 's2', 'ann', 20),
        shift('sh-1', 's1', 'ann', 10),
        shift('sh-3', 's2', 'bob', 30),
      ])
      .execute();
    await old.close();

    const storage = await migration.open();
    const rows = await storage.db.selectFrom('store_staff').selectAll().orderBy('staff_id').execute();
    expect(rows.map((row) => ({ ...row, first_seen_at: Number(row.first_seen_at) }))).toEqual([
      { staff_id: 'ann', node_id: 's1', first_event_id: 'shift:sh-1', first_seen_at: 10 },
      { staff_id: 'bob', node_id: 's2', first_event_id: 'shift:sh-3', first_seen_at: 30 },
    ]);
  });
});
