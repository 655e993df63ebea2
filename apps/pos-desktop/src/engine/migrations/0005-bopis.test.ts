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

describe('0005-bopis', () => {
  it('upgrades a filled 0004 database: rows kept, the BOPIS tables empty and their rules enforced', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 4) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 5)).map((m) => m.name)).toEqual(['0005-bopis']);
    expect(
      appliedMigrations(db)
        .map((m) => m.name)
        .at(-1),
    ).toBe('0005-bopis');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    for (const table of ['bopis_orders', 'bopis_steps', 'bopis_announced']) expect(after[table]).toEqual([]);

    db.prepare(
      `INSERT INTO bopis_steps (transition_id, order_id, device_seq, action, transition, created_at_ms)
       VALUES ('t1', 'o1', 100, 'accept', '{}', 1)`,
    ).run();
    expect(() =>
      db.prepare("UPDATE bopis_steps SET action = 'pick' WHERE transition_id = 't1'").run(),
    ).toThrow(/immutable/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO bopis_steps (transition_id, order_id, device_seq, action, transition, created_at_ms)
           VALUES ('t2', 'o1', 100, 'pick', '{}', 1)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO bopis_orders (order_id, order_number_key, pickup_code, hub_version, hub_status, hub_node_id, state)
           VALUES ('o1', 'W1', 'ABC123', 0, 'ROUTED', 'store-1', '{}')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(integrityCheck(db)).toBe('ok');
  });
});
