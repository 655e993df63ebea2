import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0021-store-audit on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the HQ entries as HQ entries and still refuses to rewrite the log', async () => {
    const old = await migration.openAt('0020-payment-settlements');
    await old.db
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
    await old.close();
    const storage = await migration.open();
    expect(await storage.db.selectFrom('hq_audit').select(['audit_id', 'node_id']).execute()).toEqual([
      { audit_id: 'a1', node_id: null },
    ]);
    await storage.db
      .insertInto('hq_audit')
      .values({
        audit_id: 'a2',
        at: 2,
        actor: 'staff:m1',
        action: 'store.void',
        subject: 'sale:s',
        before: null,
        after: '{}',
        node_id: 's1',
      })
      .execute();
    await expect(storage.db.updateTable('hq_audit').set({ node_id: 's2' }).execute()).rejects.toThrow(
      /append-only/,
    );
  });
});
