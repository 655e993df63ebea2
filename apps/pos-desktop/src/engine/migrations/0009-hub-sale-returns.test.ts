import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0009-hub-sale-returns', () => {
  it('upgrades a filled 0008 database: rows kept, hub sale columns added empty', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 8) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 9)).map((m) => m.name)).toEqual(['0009-hub-sale-returns']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0009-hub-sale-returns');
    const after = databaseSnapshot(node.engine);
    const added: Record<string, string> = {
      returns: 'hub_sale_id',
      return_lines: 'hub_line_id',
      return_refunds: 'hub_tender_id',
    };
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      const column = added[table];
      expect(after[table], table).toEqual(
        column === undefined ? rows : rows.map((row) => ({ ...(row as object), [column]: null })),
      );
    }
    for (const [table, column] of Object.entries(added)) {
      const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
      expect(columns.map((each) => each.name)).toContain(column);
    }
  });
});
