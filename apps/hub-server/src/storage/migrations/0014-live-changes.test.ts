import { afterEach, describe, expect, it } from 'vitest';
import { LiveChanges, type LiveChange } from '../../live/live-changes';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import type { Storage } from '../storage';

describe.each(backendKinds())('0014-live-changes on %s', (kind) => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  let live: LiveChanges | undefined;
  afterEach(async () => {
    live?.close();
    await storage?.close();
    await database?.dispose();
    live = undefined;
    storage = undefined;
    database = undefined;
  });

  it('announces a change to an exception the hub recorded before the upgrade', async () => {
    database = await createTestDatabase(kind);
    const old = await database.open({ migrateUpTo: '0013-purchase-orders' });
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

    storage = await database.open();
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
