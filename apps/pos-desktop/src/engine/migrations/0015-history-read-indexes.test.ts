import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0015-history-read-indexes', () => {
  it('upgrades a filled 0014 database: rows kept, the three reads by key now indexed', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 14) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 15)).map((m) => m.name)).toEqual(['0015-history-read-indexes']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0015-history-read-indexes');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    const plan = (text: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all() as { detail: string }[]).map((row) => row.detail);
    expect(plan("SELECT sale_id FROM sales WHERE register_id = 'R1' AND status = 'open'")).toEqual([
      expect.stringContaining('USING INDEX sales_open_by_register'),
    ]);
    expect(plan("SELECT return_id FROM returns WHERE tx_id = 'T1'")).toEqual([
      expect.stringContaining('USING INDEX returns_by_tx'),
    ]);
    expect(plan("SELECT qty FROM return_lines WHERE return_id = 'X1'")).toEqual([
      expect.stringContaining('USING INDEX return_lines_by_return'),
    ]);
  });
});
