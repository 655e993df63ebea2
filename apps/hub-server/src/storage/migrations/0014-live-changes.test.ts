import { afterEach, describe, expect, it } from 'vitest';
import { LiveChanges, type LiveChange } from '../../live/live-changes';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0014-live-changes on %s', (kind) => {
  const migration = migrationTest(kind);
  let live: LiveChanges | undefined;
  // Registered after the migration test's clean-up, so it runs before it: the listener stops first.
  afterEach(() => {
    live?.close();
    live = undefined;
  });

  it('announces a change to an exception the hub recorded before the upgrade', async () => {
    const old = await migration.openAt('0013-purchase-orders');
    await old.db
      .insertInto('exceptions')
      .values({
        exception_id: 'x-before',
        type: 'OVERSELL',
        severity: 'critical',
        node_id: null,
        sku: null,
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
    live = new LiveChanges(storage, { pollMs: 20, coalesceMs: 10 });
    const heard: LiveChange[] = [];
    let wake: () => void = () => undefined;
    const resolved = new Promise<void>((resolve) => (wake = resolve));
    live.subscribe((changes) => {
      heard.push(...(changes ?? []));
      if (heard.some((change) => change.id === 'x-before' && change.status === 'resolved')) wake();
    });
    await live.ready();
    await storage.db
      .updateTable('exceptions')
      .set({ status: 'resolved', updated_at: 2 })
      .where('exception_id', '=', 'x-before')
      .execute();
    await resolved;
    expect(heard.find((change) => change.id === 'x-before')).toEqual({
      topic: 'exceptions',
      id: 'x-before',
      type: 'OVERSELL',
      severity: 'critical',
      status: 'resolved',
      raised: false,
    });
  });
});
