import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { syncStatus } from '../sync/sync-status';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0016-outbox-pending-index', () => {
  it('upgrades a filled 0015 database: rows and sync status kept, the pending count read from the index', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 15) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    const statusBefore = syncStatus(db, 0);
    expect(statusBefore.pendingEvents).toBeGreaterThan(0);
    expect(migrate(db, all.slice(0, 16)).map((m) => m.name)).toEqual(['0016-outbox-pending-index']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0016-outbox-pending-index');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(syncStatus(db, 0)).toEqual(statusBefore);
    const plan = (
      db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT COUNT(*) AS count, MIN(created_at_ms) AS oldestMs FROM outbox WHERE device_seq > ?',
        )
        .all(0) as { detail: string }[]
    ).map((row) => row.detail);
    // The payloads are not read: the count and the oldest time come from the index alone.
    expect(plan).toEqual([expect.stringContaining('USING COVERING INDEX outbox_pending')]);
  });
});
