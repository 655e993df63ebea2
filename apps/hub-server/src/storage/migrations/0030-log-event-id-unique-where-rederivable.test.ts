import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { appendIntegrationEvents, type EventDraft } from '../../integration/outbound-log';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

function logRow(seq: number, eventId: string, type: string) {
  return {
    seq,
    event_id: eventId,
    type,
    schema_version: 1,
    aggregate_type: type === 'sale.completed' ? 'sale' : 'stock',
    aggregate_id: `agg-${seq}`,
    node_id: 's1',
    business_date: '2026-12-07',
    source_event_id: null,
    occurred_at: 1_000 + seq,
    recorded_at: 2_000 + seq,
    data: `{"n":${seq}}`,
  };
}

const shiftClosed: EventDraft<'shift.closed'> = {
  type: 'shift.closed',
  key: 'shift-1:closed',
  aggregateId: 'shift-1',
  nodeId: 's1',
  businessDate: '2026-12-07',
  occurredAt: 5_000,
  data: {
    shiftId: 'shift-1',
    nodeId: 's1',
    deviceId: 'd',
    staffId: 'staff',
    currency: 'USD',
    businessDate: '2026-12-07',
    closedAt: '2026-12-07T22:00:00.000Z',
    float: 0,
    expectedCash: 0,
    countedCash: 0,
    overShort: 0,
    totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: {} },
  },
};

describe.each(backendKinds())('0030-log-event-id-unique-where-rederivable on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps every row of the log in its order and its indexes but one', async () => {
    const old = await migration.openAt('0029-journal-settle');
    const rows = [
      logRow(1, 'e-sale', 'sale.completed'),
      logRow(2, 'e-availability-a', 'availability.changed'),
      logRow(3, 'e-availability-b', 'availability.changed'),
    ];
    await old.db.insertInto('integration_events').values(rows).execute();
    await old.close();

    const storage = await migration.open();
    expect(await storage.db.selectFrom('integration_events').selectAll().orderBy('seq').execute()).toEqual(
      rows,
    );
    const indexes =
      kind === 'postgres'
        ? (
            await sql<{ name: string }>`select indexname as name from pg_indexes
              where tablename = 'integration_events' order by indexname`.execute(storage.db)
          ).rows
        : (
            await sql<{ name: string }>`select name from sqlite_master
              where type = 'index' and tbl_name = 'integration_events' order by name`.execute(storage.db)
          ).rows;
    expect(indexes.map((index) => index.name).filter((name) => !name.startsWith('sqlite_autoindex'))).toEqual(
      kind === 'postgres'
        ? [
            'integration_events_event_id',
            'integration_events_node_date',
            'integration_events_pkey',
            'integration_events_recorded',
            'integration_events_type_seq',
          ]
        : [
            'integration_events_event_id',
            'integration_events_node_date',
            'integration_events_recorded',
            'integration_events_type_seq',
          ],
    );
  });

  it('keeps one row for a fact derived again, old rows included', async () => {
    const old = await migration.openAt('0029-journal-settle');
    await old.db
      .insertInto('integration_events')
      .values(logRow(1001, 'e-old', 'sale.completed'))
      .execute();
    await old.close();

    const storage = await migration.open();
    // A row written before the upgrade still refuses a second row with its id.
    await expect(
      storage.db
        .insertInto('integration_events')
        .values(logRow(1002, 'e-old', 'sale.completed'))
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
    // The log's own append keeps the first row of a fact the hub derives twice.
    const first = await storage.transaction((trx) =>
      appendIntegrationEvents(trx, storage, [shiftClosed], 7_000),
    );
    const again = await storage.transaction((trx) =>
      appendIntegrationEvents(trx, storage, [shiftClosed], 8_000),
    );
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(1);
    const kept = await storage.db
      .selectFrom('integration_events')
      .select(['recorded_at'])
      .where('aggregate_id', '=', 'shift-1')
      .execute();
    expect(kept.map((row) => Number(row.recorded_at))).toEqual([7_000]);
  });

  it('writes no unique index entry for availability rows, whose ids are unique by their keys', async () => {
    const storage = await migration.fresh();
    // Only an availability row may share an id: none the hub writes does (its key starts with a fresh id).
    await storage.db
      .insertInto('integration_events')
      .values([logRow(1, 'e-same', 'availability.changed'), logRow(2, 'e-same', 'availability.changed')])
      .execute();
    await expect(
      storage.db
        .insertInto('integration_events')
        .values([logRow(3, 'e-sale', 'sale.completed'), logRow(4, 'e-sale', 'sale.completed')])
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
    const plan =
      kind === 'postgres'
        ? undefined
        : (
            await sql<{ detail: string }>`explain query plan
              select seq from integration_events where event_id = 'e-same' and type <> 'availability.changed'`.execute(
              storage.db,
            )
          ).rows;
    if (plan !== undefined)
      expect(plan.map((row) => row.detail).join(' ')).toMatch(/integration_events_event_id/);
  });
});
