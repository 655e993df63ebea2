import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate, migrationChecksum } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

const NAME = '0018-sales-receipt-partial-unique';

/** A shift with two completed sales, one voided, one parked and one left open. */
function salesOfADay(node: TestNode): string {
  dayOfWork(node);
  const as = { session: node.sessions.cashier };
  const { engine } = node;
  expectOk(engine.execute('shift-open', { float: 10_000 }, as));
  const ring = () => {
    const { saleId } = expectOk(engine.execute('sale-start', {}, as));
    const view = expectOk(engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 2 }, as));
    return { saleId, total: view.totals.total };
  };
  for (let sale = 0; sale < 2; sale += 1) {
    const { saleId, total } = ring();
    expectOk(engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
    expectOk(engine.execute('sale-complete', { saleId }, as));
  }
  const voided = ring();
  const { overrideId } = expectOk(
    engine.execute(
      'staff-override',
      { managerCode: 'M1', managerPin: '1234', action: 'sale-void', reason: 'customer left' },
      as,
    ),
  );
  expectOk(engine.execute('sale-void', { saleId: voided.saleId, reason: 'customer left', overrideId }, as));
  const parked = ring();
  expectOk(engine.execute('sale-park', { saleId: parked.saleId }, as));
  return ring().saleId;
}

function salesSchema(node: TestNode): string[] {
  return (
    node.engine.db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'sales' ORDER BY type, name")
      .all() as { type: string; name: string; sql: string | null }[]
  ).map((row) => `${row.type} ${row.name}: ${row.sql ?? ''}`);
}

function plan(node: TestNode, query: string, ...args: unknown[]): string {
  return (node.engine.db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as { detail: string }[])
    .map((row) => row.detail)
    .join('\n');
}

describe(NAME, () => {
  it('upgrades a filled 0017 database: every row kept, receipts unique among the sales that have one', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 17) });
    const openSaleId = salesOfADay(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(before['sales']).toHaveLength(5);
    expect(salesSchema(node).filter((row) => row.includes('sqlite_autoindex_sales_'))).toHaveLength(3);

    expect(migrate(db, all.slice(0, 18)).map((m) => m.name)).toEqual([NAME]);
    expect(appliedMigrations(db).at(-1)?.name).toBe(NAME);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(salesSchema(node).map((row) => row.split(':')[0])).toEqual([
      'index sales_by_shift',
      'index sales_open_by_register',
      'index sales_parked',
      'index sales_receipt_number',
      'index sales_receipt_seq',
      'index sqlite_autoindex_sales_1',
      'table sales',
    ]);
    // The child tables still reference the rebuilt table, enforced.
    expect(() =>
      db
        .prepare(
          "INSERT INTO sale_tenders (tender_id, sale_id, seq, type, amount) VALUES ('t-x', 'no-such-sale', 1, 'cash', 1)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);

    // Uniqueness as before: a second sale with a taken receipt is refused, any number without one is not.
    const taken = db
      .prepare(
        'SELECT receipt_seq AS seq, receipt_number AS number FROM sales WHERE receipt_seq IS NOT NULL LIMIT 1',
      )
      .get() as { seq: number; number: string };
    const copy = (id: string, seq: number | null, number: string | null) =>
      db
        .prepare(
          `INSERT INTO sales (sale_id, status, register_id, staff_id, currency, started_at, receipt_seq, receipt_number)
           SELECT ?, 'voided', register_id, staff_id, currency, started_at, ?, ? FROM sales WHERE sale_id = ?`,
        )
        .run(id, seq, number, openSaleId);
    expect(() => copy('dup-seq', taken.seq, 'R-unique')).toThrow(
      /UNIQUE constraint failed: sales.receipt_seq/,
    );
    expect(() => copy('dup-number', 999_999, taken.number)).toThrow(
      /UNIQUE constraint failed: sales.receipt_number/,
    );
    copy('no-receipt-1', null, null);
    copy('no-receipt-2', null, null);

    // An open sale is in neither receipt index; the receipt lookups keep an index plan.
    const entries = (index: string) =>
      (
        db
          .prepare(`SELECT COUNT(*) AS n FROM sales INDEXED BY ${index} WHERE receipt_seq IS NOT NULL`)
          .get() as {
          n: number;
        }
      ).n;
    expect(entries('sales_receipt_seq')).toBe(2);
    expect(plan(node, 'SELECT sale_id FROM sales WHERE receipt_number = ?', 'x')).toContain(
      'USING INDEX sales_receipt_number (receipt_number=?)',
    );
    expect(plan(node, 'SELECT sale_id FROM sales WHERE receipt_seq = ?', 1)).toContain(
      'USING INDEX sales_receipt_seq (receipt_seq=?)',
    );
    // The receipt list reads the day's sales by a scan, as before, not every receipt through the index.
    const listed = plan(
      node,
      `SELECT receipt_number FROM sales WHERE +receipt_number IS NOT NULL AND completed_at_ms BETWEEN ? AND ?`,
      0,
      1,
    );
    expect(listed).toBe('SCAN sales');

    // The open sale still completes on the new table.
    const as = { session: node.sessions.cashier };
    const view = expectOk(
      node.engine.execute('sale-add-line', { saleId: openSaleId, sku: 'APPLE-1', qty: 1 }, as),
    );
    expectOk(
      node.engine.execute(
        'sale-add-tender',
        { saleId: openSaleId, tender: { type: 'cash', amount: view.totals.total } },
        as,
      ),
    );
    expect(
      expectOk(node.engine.execute('sale-complete', { saleId: openSaleId }, as)).receiptNumber,
    ).toBeTruthy();
  });

  it('leaves the 0017 schema, rows and foreign keys when the rebuild fails part-way', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 17) });
    salesOfADay(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    const schemaBefore = salesSchema(node);
    const migration = all[17]!;
    const sql = `${migration.sql}\nINSERT INTO no_such_table VALUES (1);\n`;
    expect(() =>
      migrate(db, [...all.slice(0, 17), { ...migration, sql, checksum: migrationChecksum(sql) }]),
    ).toThrow(/no_such_table/);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0017-audit-log-rowid');
    expect(salesSchema(node)).toEqual(schemaBefore);
    expect(databaseSnapshot(node.engine)).toEqual(before);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('rolls back a foreign-keys-off migration whose rows break a reference', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 17) });
    salesOfADay(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    // The rebuild, losing the completed sales that lines and tenders reference.
    const migration = all[17]!;
    const sql = migration.sql.replace(
      'FROM sales ORDER BY rowid;',
      "FROM sales WHERE status <> 'completed' ORDER BY rowid;",
    );
    expect(sql).not.toBe(migration.sql);
    expect(() =>
      migrate(db, [...all.slice(0, 17), { ...migration, sql, checksum: migrationChecksum(sql) }]),
    ).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(appliedMigrations(db).at(-1)?.name).toBe('0017-audit-log-rowid');
    expect(databaseSnapshot(node.engine)).toEqual(before);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
