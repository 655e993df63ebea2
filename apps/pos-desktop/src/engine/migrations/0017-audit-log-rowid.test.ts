import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate, migrationChecksum } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

const NAME = '0017-audit-log-rowid';

function auditSequence(node: TestNode): unknown[] {
  return node.engine.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").all();
}

function auditSchema(node: TestNode): string[] {
  return (
    node.engine.db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'audit_log' ORDER BY type, name")
      .all() as { type: string; name: string; sql: string }[]
  ).map((row) => `${row.type} ${row.name}: ${row.sql.replace(/\s+/g, ' ')}`);
}

describe(NAME, () => {
  it('upgrades a filled 0016 database: ids and rows kept, no sequence row, append-only still', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 16) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    const last = db.prepare('SELECT MAX(audit_id) AS id FROM audit_log').get() as { id: number };
    expect(last.id).toBeGreaterThan(5);
    expect(auditSequence(node)).toEqual([{ seq: last.id }]);

    expect(migrate(db, all.slice(0, 17)).map((m) => m.name)).toEqual([NAME]);
    expect(appliedMigrations(db).at(-1)?.name).toBe(NAME);
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(auditSequence(node)).toEqual([]);
    expect(auditSchema(node).join('\n')).not.toContain('AUTOINCREMENT');
    expect(auditSchema(node).map((row) => row.split(':')[0])).toEqual([
      'index audit_log_by_action',
      'table audit_log',
      'trigger audit_log_is_append_only_delete',
      'trigger audit_log_is_append_only_update',
    ]);

    // The next command's row takes the next id, and its commit leaves sqlite_sequence alone.
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: node.sessions.cashier }));
    const next = db.prepare('SELECT MAX(audit_id) AS id FROM audit_log').get() as { id: number };
    expect(next.id).toBe(last.id + 1);
    expect(auditSequence(node)).toEqual([]);

    expect(() => db.prepare('DELETE FROM audit_log WHERE audit_id = ?').run(next.id)).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET action = 'x' WHERE audit_id = ?").run(next.id)).toThrow(
      /append-only/,
    );

    // The audit log's readers keep their index plans.
    const plan = (query: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as { detail: string }[]).map(
        (row) => row.detail,
      );
    expect(
      plan(
        `SELECT audit_id FROM audit_log WHERE (@beforeId IS NULL OR audit_id < @beforeId) AND (@action IS NULL OR action = @action)
         ORDER BY audit_id DESC LIMIT @limit`,
        { beforeId: 10, action: null, limit: 5 },
      ).join('\n'),
    ).toMatch(/SCAN audit_log|SEARCH audit_log USING INTEGER PRIMARY KEY/);
    expect(
      plan("SELECT COUNT(*) FROM audit_log WHERE action = 'receipt-print' AND subject = ?", 's'),
    ).toEqual([expect.stringContaining('USING INDEX audit_log_by_action (action=?)')]);
  });

  it('leaves the 0016 schema and rows when the upgrade fails part-way (one transaction)', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 16) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    const schemaBefore = auditSchema(node);
    const migration = all[16]!;
    // The same statements, then a failure after the old table is gone and the new one renamed.
    const sql = `${migration.sql}\nINSERT INTO no_such_table VALUES (1);\n`;
    const broken = { ...migration, sql, checksum: migrationChecksum(sql) };
    expect(() => migrate(db, [...all.slice(0, 16), broken])).toThrow(/no_such_table/);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0016-outbox-pending-index');
    expect(auditSchema(node)).toEqual(schemaBefore);
    expect(databaseSnapshot(node.engine)).toEqual(before);
    expect(auditSequence(node)).toHaveLength(1);
  });
});
