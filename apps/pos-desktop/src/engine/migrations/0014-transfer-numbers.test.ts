import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0014-transfer-numbers', () => {
  it('upgrades a filled 0013 database: rows kept, the transfer counter starting at 0', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 13) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 14)).map((m) => m.name)).toEqual(['0014-transfer-numbers']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0014-transfer-numbers');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations' || table === 'device_state') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(after.device_state).toEqual([{ ...(before.device_state![0] as object), last_transfer_seq: 0 }]);
    expect(() => db.prepare('UPDATE device_state SET last_transfer_seq = -1').run()).toThrow(/CHECK/);
  });
});
