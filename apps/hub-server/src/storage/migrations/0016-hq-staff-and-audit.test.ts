import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0016-hq-staff-and-audit on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the staff stores named and starts an empty staff list and an append-only audit log', async () => {
    const old = await migration.openAt('0015-split-orders-and-channels');
    await old.db
      .insertInto('store_staff')
      .values({ staff_id: 'st-1', node_id: 's1', first_event_id: 'e1', first_seen_at: 1 })
      .execute();
    await old.close();
    const storage = await migration.open();
    expect(await storage.db.selectFrom('store_staff').select('staff_id').execute()).toEqual([
      { staff_id: 'st-1' },
    ]);
    expect(await storage.db.selectFrom('hq_staff').selectAll().execute()).toEqual([]);
    await storage.db
      .insertInto('hq_audit')
      .values({
        audit_id: 'a1',
        at: 1,
        actor: 'user:hq',
        action: 'staff.create',
        subject: 'staff:x',
        before: null,
        after: '{}',
      })
      .execute();
    await expect(storage.db.updateTable('hq_audit').set({ actor: 'user:other' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(storage.db.deleteFrom('hq_audit').execute()).rejects.toThrow(/append-only/);
  });
});
