import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../database';
import { openStoreEngine } from '../engine';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import {
  TEST_PIN_COST,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0008-lanes', () => {
  it("upgrades a filled 0007 database: rows kept, a lockout moved to the main till, open sessions the main till's", () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 7) });
    dayOfWork(node);
    const { db } = node.engine;
    // The old schema kept one lockout per staff member for every lane.
    const lockedUntil = node.clock.now() + 600_000;
    db.prepare("UPDATE staff SET locked_until_ms = ? WHERE staff_code = 'C2'").run(lockedUntil);
    db.prepare("UPDATE staff SET failed_attempts = 3 WHERE staff_code = 'S1'").run();
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 8)).map((m) => m.name)).toEqual(['0008-lanes']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0008-lanes');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations' || table === 'staff_sessions') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(after.staff_sessions).toEqual(
      (before.staff_sessions as Record<string, unknown>[]).map((row) => ({ ...row, lane_id: null })),
    );
    for (const table of ['lanes', 'lane_pairing_codes', 'lan_certificate'])
      expect(after[table], table).toEqual([]);
    const staffIds = new Map(
      (
        db.prepare('SELECT staff_code AS code, staff_id AS id FROM staff').all() as {
          code: string;
          id: string;
        }[]
      ).map((row) => [row.code, row.id]),
    );
    const staffId = (code: string) => staffIds.get(code)!;
    expect(after.pin_lockouts).toEqual(
      [
        {
          staff_id: staffId('S1'),
          lane_id: 'main',
          failed_attempts: 3,
          lockouts: 0,
          locked_until_ms: null,
          updated_at_ms: 0,
        },
        {
          staff_id: staffId('C2'),
          lane_id: 'main',
          failed_attempts: 0,
          lockouts: 1,
          locked_until_ms: lockedUntil,
          updated_at_ms: 0,
        },
      ].sort((a, b) => a.staff_id.localeCompare(b.staff_id)),
    );

    // The engine at the new version: old sessions are the main till's, the moved lockout holds there.
    node.engine.close();
    const engine = openStoreEngine({
      databasePath: node.databasePath,
      clock: node.clock,
      pinCost: TEST_PIN_COST,
    });
    try {
      expectOk(engine.execute('staff-session', {}, { session: node.sessions.cashier }));
      expectError(engine.execute('staff-sign-in', { staffCode: 'C2', pin: '3333' }), 'LOCKED_OUT');
    } finally {
      engine.close();
    }

    // A lane may not pair as a register another lane in use holds, nor revoke without a revoker.
    const upgraded = openDatabase(node.databasePath);
    const insertLane = upgraded.prepare(
      `INSERT INTO lanes (lane_id, kind, name, register_id, credential_hash, paired_at_ms, paired_by)
       VALUES (?, 'lane', ?, 'lane-2', ?, 1, ?)`,
    );
    insertLane.run('l1', 'Lane 2', 'h1', staffId('M1'));
    expect(() => insertLane.run('l2', 'Lane 2b', 'h2', staffId('M1'))).toThrow(/UNIQUE/);
    expect(() => upgraded.prepare("UPDATE lanes SET revoked_at_ms = 5 WHERE lane_id = 'l1'").run()).toThrow(
      /CHECK/,
    );
    upgraded.close();
  });
});
