import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0004-rejections-and-return-lookup on %s', (kind) => {
  const migration = migrationTest(kind);

  it('adds the reason column and fills it from the exception of every rejection already logged', async () => {
    const old = await migration.openAt('0002-feed-key-per-scope');
    const logged = (eventId: string, deviceSeq: number, status: 'applied' | 'rejected') => ({
      event_id: eventId,
      device_id: 'd1',
      device_seq: deviceSeq,
      node_id: 's1',
      type: 'stock.adjusted',
      schema_version: 1,
      status,
      envelope: '{}',
      received_at: 1,
    });
    await old.db
      .insertInto('ingested_events')
      .values([logged('e1', 1, 'applied'), logged('e2', 2, 'rejected'), logged('e3', 3, 'rejected')])
      .execute();
    const exception = (id: string, type: string, causes: string[], details: Record<string, unknown>) => ({
      exception_id: id,
      type,
      severity: 'warning' as const,
      node_id: 's1',
      sku: null,
      condition_key: null,
      cause_event_ids: JSON.stringify(causes),
      details: JSON.stringify(details),
      status: 'open' as const,
      occurrences: 1,
      resolution_note: null,
      resolved_by: null,
      resolved_at: null,
      created_at: 1,
      updated_at: 1,
    });
    await old.db
      .insertInto('exceptions')
      .values([
        exception('x1', 'REJECTED_EVENT', ['e2'], { reason: 'Unknown SKU NOPE.' }),
        exception('x2', 'COUNT_MISMATCH', ['e1'], { reason: 'not a rejection' }),
      ])
      .execute();
    await old.close();

    const storage = await migration.open();
    const rows = await storage.db
      .selectFrom('ingested_events')
      .select(['event_id', 'reject_reason'])
      .orderBy('event_id')
      .execute();
    expect(rows).toEqual([
      { event_id: 'e1', reject_reason: null },
      { event_id: 'e2', reject_reason: 'Unknown SKU NOPE.' },
      { event_id: 'e3', reject_reason: null },
    ]);
  });
});
