import { afterEach, describe, expect, it } from 'vitest';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import type { Storage } from '../storage';

describe.each(backendKinds())('0023-settings-history on %s', (kind) => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    await database?.dispose();
    storage = undefined;
    database = undefined;
  });

  it('starts the history with the settings in force', async () => {
    database = await createTestDatabase(kind);
    const old = await database.open({ migrateUpTo: '0022-alert-rules' });
    const row = (
      scope_kind: 'chain' | 'store',
      scope_id: string,
      value: string | null,
      revision: number,
    ) => ({
      scope_kind,
      scope_id,
      key: 'pos.discount.maxPercent.cashier',
      value,
      version: 1,
      revision,
      updated_at: 1,
      updated_by: 'user:hq',
    });
    await old.db
      .insertInto('hq_settings')
      .values([row('chain', '', '15', 1), row('store', 's1', null, 2)])
      .execute();
    await old.close();
    storage = await database.open();
    const history = await storage.db
      .selectFrom('hq_settings_history')
      .selectAll()
      .orderBy('revision')
      .execute();
    expect(history.map((entry) => ({ ...entry, revision: Number(entry.revision) }))).toEqual([
      { scope_kind: 'chain', scope_id: '', key: 'pos.discount.maxPercent.cashier', revision: 1, value: '15' },
      {
        scope_kind: 'store',
        scope_id: 's1',
        key: 'pos.discount.maxPercent.cashier',
        revision: 2,
        value: null,
      },
    ]);
  });
});
