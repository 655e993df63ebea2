import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0008-claim-holds on %s', (kind) => {
  const migration = migrationTest(kind);

  it('makes the programme in force the first version of its history, from when it was set', async () => {
    const old = await migration.openAt('0007-integration-log');
    const programme = JSON.stringify({ programmeId: 'rewards', currency: 'USD' });
    await old.db
      .insertInto('loyalty_config')
      .values([
        { key: 'programme', value: programme, updated_by: 'user:hq', updated_at: 1_700_000_000_000 },
        { key: 'stored_value:USD', value: '{}', updated_by: 'user:hq', updated_at: 5 },
      ])
      .execute();
    await old.close();

    const storage = await migration.open();
    const history = await storage.db.selectFrom('loyalty_programme_history').selectAll().execute();
    expect(history.map((row) => ({ ...row, effective_from: Number(row.effective_from) }))).toEqual([
      {
        version_id: 'v0-1700000000000',
        effective_from: 1_700_000_000_000,
        programme,
        saved_by: 'user:hq',
      },
    ]);
    for (const table of ['card_references', 'held_points', 'held_credits', 'store_credit_issued'] as const) {
      expect(await storage.db.selectFrom(table).selectAll().execute()).toEqual([]);
    }
  });
});
