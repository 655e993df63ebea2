import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck } from '../database';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { countRows, createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0002-product-search', () => {
  it('upgrades a filled 0001 database: every row kept and the SKUs it already held searchable', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 1) });
    dayOfWork(node, { closeShift: false });
    const before = databaseSnapshot(node.engine);
    const { db } = node.engine;
    expect(migrate(db, all.slice(0, 2)).map((m) => m.name)).toEqual(['0002-product-search']);
    expect(appliedMigrations(db).map((m) => m.name)).toEqual(['0001-initial', '0002-product-search']);
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(db.prepare('SELECT rowid FROM sku_search WHERE sku_search MATCH \'"chee"*\'').all()).toHaveLength(
      1,
    );
    const items = expectOk(
      node.engine.execute('catalog-search', { query: 'milk' }, { session: node.sessions.cashier }),
    ).items;
    expect(items.map((item) => item.sku)).toEqual(['MILK-1']);
    expect(countRows(node.engine, 'skus')).toBe(3);
    expect(integrityCheck(node.engine.db)).toBe('ok');
  });
});
