import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck } from '../database';
import { appliedMigrations, loadMigrations } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { countRows, createTestNode, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0001-initial', () => {
  it('turns an empty file into a store database that holds a full day of work consistently', () => {
    const migrations = loadMigrations().slice(0, 1);
    node = createTestNode({ migrations });
    dayOfWork(node, { closeShift: false });
    const { engine } = node;
    expect(appliedMigrations(engine.db).map((m) => m.name)).toEqual(['0001-initial']);
    for (const table of [
      'staff',
      'staff_sessions',
      'manager_overrides',
      'audit_log',
      'shifts',
      'cash_movements',
      'stock_movements',
      'outbox',
    ]) {
      expect(countRows(engine, table), table).toBeGreaterThan(0);
    }
    expect(integrityCheck(engine.db)).toBe('ok');
    expect(engine.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('enforces its invariants in the schema itself', () => {
    node = createTestNode({ migrations: loadMigrations().slice(0, 1) });
    dayOfWork(node, { closeShift: false });
    const { db } = node.engine;
    expect(() => db.prepare('UPDATE stock_movements SET delta = 99').run()).toThrow(/immutable/);
    expect(() => db.prepare("UPDATE outbox SET payload = '{}'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.prepare(
      `INSERT INTO shifts (shift_id, register_id, staff_id, currency, float, status, opened_at, opened_at_ms)
       SELECT 'x1', 'r', staff_id, 'EUR', 0, 'open', 'x', 0 FROM staff LIMIT 1`,
    ).run();
    expect(() =>
      db
        .prepare(
          `INSERT INTO shifts (shift_id, register_id, staff_id, currency, float, status, opened_at, opened_at_ms)
           SELECT 'x2', 'r', staff_id, 'EUR', 0, 'open', 'x', 0 FROM staff LIMIT 1`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO sales (sale_id, status, register_id, staff_id, currency, started_at)
           SELECT 's1', 'completed', 'r', staff_id, 'EUR', 'x' FROM staff LIMIT 1`,
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
