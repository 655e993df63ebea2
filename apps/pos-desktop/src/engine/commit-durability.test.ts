import { afterEach, describe, expect, it } from 'vitest';
import { commitsWithoutFsync } from './engine';
import { TEST_SKUS, createTestNode, expectOk, type TestNode } from './testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

/**
 * Records, for every audited command, the safety level its transaction commits with: a temporary trigger
 * on the audit log reads `pragma_synchronous` inside the command's own transaction (0 off, 1 NORMAL,
 * 2 FULL).
 */
function watchSafetyLevels(): () => { action: string; level: number }[] {
  const db = node.engine.db;
  db.exec(`CREATE TEMP TABLE commit_levels (action TEXT NOT NULL, level INTEGER NOT NULL);
    CREATE TEMP TRIGGER record_commit_level AFTER INSERT ON main.audit_log
    BEGIN
      INSERT INTO commit_levels (action, level) SELECT NEW.action, synchronous FROM pragma_synchronous;
    END;`);
  return () =>
    db.prepare('SELECT action, level FROM temp.commit_levels ORDER BY rowid').all() as {
      action: string;
      level: number;
    }[];
}

describe('commit durability', () => {
  it('lets cart edits commit without an fsync and makes sale-complete and everything else wait for the disk', () => {
    node = createTestNode();
    const levels = watchSafetyLevels();
    const as = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, as));
    const { saleId } = expectOk(node.engine.execute('sale-start', {}, as));
    const line = expectOk(node.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.milk.barcode }, as))
      .lines[0]!;
    expectOk(node.engine.execute('sale-set-qty', { saleId, lineId: line.lineId, qty: 2 }, as));
    const total = expectOk(node.engine.execute('sale-get', { saleId }, as)).totals.total;
    expectOk(node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
    expectOk(node.engine.execute('sale-complete', { saleId }, as));

    expect(levels()).toEqual([
      { action: 'shift-open', level: 2 },
      { action: 'sale-start', level: 1 },
      { action: 'sale-add-line', level: 1 },
      { action: 'sale-set-qty', level: 1 },
      { action: 'sale-add-tender', level: 1 },
      { action: 'sale-complete', level: 2 },
    ]);
    // The connection is back at FULL for whatever runs next (the sync agent, the feed).
    expect(node.engine.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('keeps tenders that draw on hub-held value durable', () => {
    for (const type of ['store_credit', 'gift_card', 'loyalty_points']) {
      expect(commitsWithoutFsync('sale-add-tender', { saleId: 'x', tender: { type } })).toBe(false);
    }
    expect(commitsWithoutFsync('sale-add-tender', { saleId: 'x', tender: { type: 'card' } })).toBe(true);
    expect(commitsWithoutFsync('sale-complete', { saleId: 'x' })).toBe(false);
    expect(commitsWithoutFsync('sale-void', { saleId: 'x' })).toBe(false);
  });
});
