import { afterEach, describe, expect, it } from 'vitest';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import type { Storage } from '../storage';

describe.each(backendKinds())('0021-store-audit on %s', (kind) => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    await database?.dispose();
    storage = undefined;
    database = undefined;
  });

  it('keeps the HQ entries as HQ entries and still refuses to rewrite the log', async () => {
    database = await createTestDatabase(kind);
    const old = await database.open({ migrateUpTo: '0020-payment-settlements' });
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
    storage = await database.open();
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
