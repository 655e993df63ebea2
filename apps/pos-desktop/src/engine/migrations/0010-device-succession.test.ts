import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0010-device-succession', () => {
  it('upgrades a filled 0009 database: rows kept, no hold, no successor', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 9) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 10)).map((m) => m.name)).toEqual(['0010-device-succession']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0010-device-succession');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      if (table === 'device_state') {
        expect(after[table]).toEqual(rows.map((row) => ({ ...(row as object), restore_hold_seq: null })));
        continue;
      }
      expect(after[table], table).toEqual(rows);
    }
    expect(after['device_succession']).toEqual([]);
    expect(() => db.prepare('UPDATE device_state SET restore_hold_seq = -1').run()).toThrow(/CHECK/);
  });
});
