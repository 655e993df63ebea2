import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0013-sale-gift-cards', () => {
  it('upgrades a filled 0012 database: rows kept, an empty gift card load table tied to sales', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 12) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 13)).map((m) => m.name)).toEqual(['0013-sale-gift-cards']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0013-sale-gift-cards');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(after.sale_gift_cards ?? []).toEqual([]);
    const cashier = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { float: 0 }, cashier));
    const sale = expectOk(node.engine.execute('sale-start', {}, cashier));
    const insert = db.prepare(
      `INSERT INTO sale_gift_cards (line_id, sale_id, line_no, kind, masked_number, amount) VALUES (?, ?, 1, ?, '****1234', ?)`,
    );
    expect(() => insert.run('l-1', sale.saleId, 'sell', 500)).toThrow(/CHECK/);
    expect(() => insert.run('l-1', sale.saleId, 'activate', 0)).toThrow(/CHECK/);
    insert.run('l-1', sale.saleId, 'activate', 500);
  });
});
