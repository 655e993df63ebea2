import { describe, expect, it } from 'vitest';
import { raiseException } from '../../exceptions/exception-queue';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0022-alert-rules on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the exceptions raised before it, and alerts on the ones raised after a rule exists', async () => {
    const old = await migration.openAt('0021-store-audit');
    await old.db
      .insertInto('exceptions')
      .values({
        exception_id: 'x1',
        type: 'OVERSELL',
        severity: 'critical',
        node_id: 's1',
        sku: 'A',
        condition_key: null,
        cause_event_ids: '[]',
        details: '{}',
        status: 'open',
        occurrences: 1,
        resolution_note: null,
        resolved_by: null,
        resolved_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.close();
    const storage = await migration.open();
    expect(
      await storage.db
        .selectFrom('exceptions')
        .select('exception_id')
        .where('exception_id', '=', 'x1')
        .execute(),
    ).toEqual([{ exception_id: 'x1' }]);
    expect(await storage.db.selectFrom('alert_deliveries').selectAll().execute()).toEqual([]);
    await storage.db
      .insertInto('alert_rules')
      .values({
        rule_id: 'r1',
        name: 'Oversells',
        exception_type: 'OVERSELL',
        min_severity: null,
        node_id: null,
        channel: 'email',
        target: '["ops@example.com"]',
        secret: null,
        enabled: 1,
        version: 1,
        created_by: 'user:hq',
        created_at: 2,
        updated_at: 2,
      })
      .execute();
    await raiseException(
      storage.db,
      { type: 'OVERSELL', severity: 'critical', nodeId: 's1', sku: 'B', causeEventIds: ['e2'], details: {} },
      3,
      (() => {
        let next = 1;
        return () => `x${++next}`;
      })(),
    );
    expect(
      await storage.db.selectFrom('alert_deliveries').select(['rule_id', 'exception_id', 'status']).execute(),
    ).toEqual([{ rule_id: 'r1', exception_id: 'x2', status: 'pending' }]);
  });
});
