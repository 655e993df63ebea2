import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0007-snapshot-beside-replica', () => {
  it('upgrades a filled 0006 database: rows kept, no re-download pending', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 6) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 7)).map((m) => m.name)).toEqual(['0007-snapshot-beside-replica']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0007-snapshot-beside-replica');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      if (table === 'sync_state') {
        expect(after[table]).toEqual(rows.map((row) => ({ ...(row as object), refetch_pending: 0 })));
        continue;
      }
      expect(after[table], table).toEqual(rows);
    }
    expect(() => db.prepare('UPDATE sync_state SET refetch_pending = 2').run()).toThrow(/CHECK/);
  });
});
