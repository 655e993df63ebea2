import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0029-journal-settle on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the journal days and gives them no arrival times (due as before)', async () => {
    const old = await migration.openAt('0028-reference-versions');
    await old.db
      .insertInto('integration_journal_days')
      .values({
        node_id: 's1',
        business_date: '2026-11-23',
        last_event_seq: 12,
        journaled_seq: 9,
        pending: 1,
        revision: 2,
        covered_digest: 'abc',
        published_at: 1_000,
      })
      .execute();
    await old.close();

    const storage = await migration.open();
    expect(await storage.db.selectFrom('integration_journal_days').selectAll().execute()).toEqual([
      {
        node_id: 's1',
        business_date: '2026-11-23',
        last_event_seq: 12,
        journaled_seq: 9,
        pending: 1,
        revision: 2,
        covered_digest: 'abc',
        published_at: 1_000,
        pending_since: null,
        last_arrival_at: null,
      },
    ]);
    await storage.db
      .updateTable('integration_journal_days')
      .set({ pending_since: 2_000, last_arrival_at: 3_000 })
      .execute();
    expect(
      await storage.db
        .selectFrom('integration_journal_days')
        .select(['pending_since', 'last_arrival_at'])
        .executeTakeFirst(),
    ).toEqual({ pending_since: 2_000, last_arrival_at: 3_000 });
  });
});
