import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck } from '../database';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0006-loyalty', () => {
  it('upgrades a filled 0005 database: rows kept, the loyalty caches empty and their rules enforced', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 5) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 6)).map((m) => m.name)).toEqual(['0006-loyalty']);
    expect(
      appliedMigrations(db)
        .map((m) => m.name)
        .at(-1),
    ).toBe('0006-loyalty');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    for (const table of [
      'customers',
      'loyalty_snapshots',
      'loyalty_settings',
      'stored_value_accounts',
      'offline_redemptions',
    ])
      expect(after[table], table).toEqual([]);

    // A customer must be findable again: no phone, email or account is refused.
    expect(() =>
      db
        .prepare(
          `INSERT INTO customers (customer_id, temporary, created_at_ms, updated_at_ms) VALUES ('c1', 1, 1, 1)`,
        )
        .run(),
    ).toThrow(/CHECK/);
    // An offline redemption belongs to a sale of this till; stored value carries its currency.
    expect(() =>
      db
        .prepare(
          `INSERT INTO offline_redemptions (redemption_id, kind, account_id, amount, currency, sale_id, occurred_at_ms)
           VALUES ('r1', 'points', 'a1', 10, NULL, 'no-such-sale', 1)`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO offline_redemptions (redemption_id, kind, account_id, amount, currency, sale_id, occurred_at_ms)
           VALUES ('r2', 'stored_value', 'a1', 10, NULL, 'no-such-sale', 1)`,
        )
        .run(),
    ).toThrow(/CHECK|FOREIGN KEY/);
    expect(integrityCheck(db)).toBe('ok');
  });
});
