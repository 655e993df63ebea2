import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0019-hq-settings on %s', (kind) => {
  const migration = migrationTest(kind);

  it('turns the chain-wide settings HQ had set into chain settings at version 1, revision 1', async () => {
    const old = await migration.openAt('0018-ship-orders-and-payments');
    const row = (key: string, seq: number, op: 'upsert' | 'delete', scope: string, value?: unknown) => ({
      hub_seq: seq,
      entity: 'config',
      entity_key: key,
      op,
      data: op === 'delete' ? null : JSON.stringify({ key, value }),
      scope,
      created_at: 1_000 + seq,
    });
    await old.db
      .insertInto('feed_changes')
      .values([
        row('pos.returns.noReceiptWindowDays', 1, 'upsert', '*', 30),
        row('pos.stock.countWriteOffApprovalLimit', 2, 'delete', '*'),
        row('pos.shift.cashOutOverrideLimit', 3, 'upsert', 'some-node', 500),
      ])
      .execute();
    await old.close();
    const storage = await migration.open();
    expect(await storage.db.selectFrom('hq_settings').selectAll().execute()).toEqual([
      {
        scope_kind: 'chain',
        scope_id: '',
        key: 'pos.returns.noReceiptWindowDays',
        value: '30',
        version: 1,
        revision: 1,
        updated_at: 1_001,
        updated_by: 'migration:0019',
      },
    ]);
    const head = await storage.db.selectFrom('hq_settings_head').selectAll().executeTakeFirstOrThrow();
    expect(Number(head.revision)).toBe(1);
  });

  it('starts at revision 0 when HQ had set nothing', async () => {
    const storage = await migration.fresh();
    expect(await storage.db.selectFrom('hq_settings').selectAll().execute()).toEqual([]);
    const head = await storage.db.selectFrom('hq_settings_head').selectAll().executeTakeFirstOrThrow();
    expect(Number(head.revision)).toBe(0);
  });
});
