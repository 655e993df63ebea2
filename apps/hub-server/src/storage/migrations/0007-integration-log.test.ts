import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('storage/migrations/0007-integration-log on %s', (kind) => {
  const migration = migrationTest(kind);

  it('upgrades a filled database with an empty outbound log whose positions start at 1', async () => {
    const old = await migration.openAt('0006-store-staff');
    await old.db
      .insertInto('sales')
      .values({
        sale_id: 's-1',
        node_id: 'n1',
        device_id: 'd1',
        receipt_number: 'R-1',
        customer_id: null,
        currency: 'USD',
        total: 100,
        status: 'completed',
        completed_at: '2026-11-23T10:00:00.000Z',
        event_id: 'e-1',
      })
      .execute();
    await old.close();

    const storage = await migration.open();
    expect(await storage.db.selectFrom('sales').select('sale_id').execute()).toEqual([{ sale_id: 's-1' }]);
    expect(await storage.db.selectFrom('integration_events').selectAll().execute()).toEqual([]);
    const next =
      kind === 'postgres'
        ? Number(
            (await sql<{ seq: number }>`select nextval('integration_seq') as seq`.execute(storage.db))
              .rows[0]!.seq,
          )
        : Number(
            (
              await storage.db
                .selectFrom('hub_counters')
                .select('value')
                .where('name', '=', 'integration_seq')
                .executeTakeFirstOrThrow()
            ).value,
          ) + 1;
    expect(next).toBe(1);
    const row = {
      seq: 1,
      event_id: 'ev-1',
      type: 'sale.completed',
      schema_version: 1,
      aggregate_type: 'sale',
      aggregate_id: 's-1',
      node_id: 'n1',
      business_date: '2026-11-23',
      source_event_id: 'e-1',
      occurred_at: 1,
      recorded_at: 2,
      data: '{}',
    };
    await storage.db.insertInto('integration_events').values(row).execute();
    // One row per event id: the same fact derived twice cannot be logged twice.
    await expect(
      storage.db
        .insertInto('integration_events')
        .values({ ...row, seq: 2 })
        .execute(),
    ).rejects.toThrow();
  });
});
