import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck } from '../database';
import { loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0003-sale-details', () => {
  it('upgrades a filled 0002 database: sales, lines, adjustments and tenders kept, new columns defaulted', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 2) });
    dayOfWork(node, { closeShift: false });
    const { db } = node.engine;
    // A completed sale written with the 0002 columns (as a sync test fixture or a hand repair would).
    db.exec(`
      INSERT INTO sales (sale_id, status, register_id, staff_id, currency, receipt_seq, receipt_number, subtotal, total,
        paid, started_at, completed_at)
        SELECT 'old-sale', 'completed', 'main', staff_id, 'EUR', 99, 'S001-3-000099', 258, 206, 206, 'x', 'x'
        FROM staff WHERE staff_code = 'C1';
      INSERT INTO sale_lines (line_id, sale_id, line_no, sku, name, qty, unit, unit_price, tax_inclusive, extended, paid)
        VALUES ('old-line', 'old-sale', 1, 'MILK-1', 'Milk', 2, 'each', 129, 1, 258, 206);
      INSERT INTO sale_adjustments (sale_id, line_id, seq, kind, promotion_id, amount, reason)
        VALUES ('old-sale', 'old-line', 1, 'promotion', 'promo-milk', 52, 'Milk 20% off');
      INSERT INTO sale_tenders (tender_id, sale_id, seq, type, amount) VALUES ('old-tender', 'old-sale', 1, 'card', 206);
    `);
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 3)).map((m) => m.name)).toEqual(['0003-sale-details']);
    const after = databaseSnapshot(node.engine);
    for (const table of ['shifts', 'cash_movements', 'stock_movements', 'outbox', 'audit_log', 'staff']) {
      expect(after[table], table).toEqual(before[table]);
    }
    expect(after.sale_adjustments).toEqual(before.sale_adjustments);
    expect(
      db.prepare('SELECT price_source AS source, net, tax_category AS taxCategory FROM sale_lines').get(),
    ).toEqual({
      source: 'price_book',
      net: 0,
      taxCategory: '',
    });
    expect(db.prepare("SELECT draft, promotions FROM sales WHERE sale_id = 'old-sale'").get()).toEqual({
      draft: null,
      promotions: '[]',
    });
    expect(() =>
      db
        .prepare(
          "INSERT INTO sale_adjustments (sale_id, line_id, seq, kind, amount, reason) VALUES ('old-sale', 'old-line', 2, 'price_override', 1, 'x')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(integrityCheck(db)).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);

    // The upgraded database, brought up to date as every node is on start, takes a sale end to end (the
    // code reads tables later migrations add, such as 0013's gift card loads).
    migrate(db, all);
    const session = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { registerId: 'lane-9', float: 0 }, session));
    const saleId = expectOk(node.engine.execute('sale-start', { registerId: 'lane-9' }, session)).saleId;
    expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1' }, session));
    expectOk(
      node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: 45 } }, session),
    );
    expect(expectOk(node.engine.execute('sale-complete', { saleId }, session)).receiptNumber).toBe(
      'S001-3-000001',
    );
  });
});
