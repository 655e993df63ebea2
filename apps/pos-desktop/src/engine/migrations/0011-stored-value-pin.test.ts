import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0011-stored-value-pin', () => {
  it('upgrades a filled 0010 database: rows kept, cached cards of unknown PIN status', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 10) });
    dayOfWork(node);
    const { db } = node.engine;
    db.prepare(
      `INSERT INTO stored_value_accounts (account_id, number_key, kind, masked_number, currency, status, available,
         held, taken_at_ms) VALUES ('gc-1', 'key-1', 'gift_card', '****4321', 'EUR', 'active', 2500, 0, 1)`,
    ).run();
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 11)).map((m) => m.name)).toEqual(['0011-stored-value-pin']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0011-stored-value-pin');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(
        table === 'stored_value_accounts'
          ? rows.map((row) => ({ ...(row as object), pin_protected: null }))
          : rows,
      );
    }
    expect(() =>
      db.prepare("UPDATE stored_value_accounts SET pin_protected = 2 WHERE account_id = 'gc-1'").run(),
    ).toThrow(/CHECK/);
  });
});
