import { compareHlc, parseHlc } from '@retail/sync';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readOutbox } from './outbox/outbox';
import {
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectOk,
  TEST_SKUS,
  type TestNode,
} from './testing/test-node';
import { DEFAULT_WARMUP_SALES, warmUpAtStart, warmUpSalesSetting } from './warm-up';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

/** A sale of an apple and a milk, paid in cash, on `registerId` (its shift opened first). */
function ringUpSale(current: TestNode, registerId: string) {
  const as = { session: current.sessions.cashier };
  const { engine } = current;
  const shift = expectOk(engine.execute('shift-current', { registerId }, as));
  if (shift.shift === null) expectOk(engine.execute('shift-open', { registerId, float: 10_000 }, as));
  const { saleId } = expectOk(engine.execute('sale-start', { registerId }, as));
  expectOk(engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, as));
  const view = expectOk(engine.execute('sale-add-line', { saleId, code: TEST_SKUS.milk.barcode }, as));
  expectOk(
    engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: view.totals.total } }, as),
  );
  return expectOk(engine.execute('sale-complete', { saleId }, as));
}

describe('warm-up at start', () => {
  it('rings up whole sales and writes nothing: no commit, every row as it was, no notification', () => {
    node = createTestNode();
    ringUpSale(node, 'till-1');
    const before = databaseSnapshot(node.engine);
    // Another connection's data_version moves with every commit of this one: the warm-up must make none.
    const watcher = new Database(node.databasePath, { readonly: true });
    const version = () => watcher.pragma('data_version', { simple: true }) as number;
    const versionBefore = version();
    const notifications: string[] = [];
    node.engine.subscribe((notification) => notifications.push(notification.name));
    const changedSales: string[] = [];
    node.engine.onSaleChanged((sale) => changedSales.push(sale.saleId));

    const report = node.engine.warmUp(5, Number.POSITIVE_INFINITY);

    expect(report).toMatchObject({ sales: 5 });
    expect(report.stoppedBy).toBeUndefined();
    expect(version()).toBe(versionBefore);
    watcher.close();
    expect(databaseSnapshot(node.engine)).toEqual(before);
    expect(notifications).toEqual([]);
    expect(changedSales).toEqual([]);
    expect(node.engine.db.inTransaction).toBe(false);
  });

  it('leaves the next real sale its receipt number, outbox sequence, audit id and a later HLC', () => {
    node = createTestNode();
    ringUpSale(node, 'till-1');
    const events = readOutbox(node.engine.db, 0, 1_000_000);
    const lastEvent = events.at(-1);
    if (lastEvent === undefined) throw new Error('the first sale appended no event');
    const lastAudit = node.engine.db.prepare('SELECT MAX(audit_id) AS id FROM audit_log').get() as {
      id: number;
    };

    expect(node.engine.warmUp(3, Number.POSITIVE_INFINITY).sales).toBe(3);
    const second = ringUpSale(node, 'till-1');

    const after = checkedOutbox(node.engine).filter((event) => event.deviceSeq > lastEvent.deviceSeq);
    expect(after.map((event) => event.deviceSeq)).toEqual(after.map((_, at) => lastEvent.deviceSeq + 1 + at));
    expect(after.map((event) => event.type)).toContain('sale.completed');
    for (const event of after) expect(compareHlc(parseHlc(event.hlc), parseHlc(lastEvent.hlc))).toBe(1);
    const firstAudit = node.engine.db
      .prepare('SELECT MIN(audit_id) AS id FROM audit_log WHERE audit_id > ?')
      .get(lastAudit.id) as { id: number };
    expect(firstAudit.id).toBe(lastAudit.id + 1);
    const receipts = node.engine.db
      .prepare('SELECT receipt_seq AS seq FROM sales WHERE receipt_seq IS NOT NULL ORDER BY receipt_seq')
      .all() as { seq: number }[];
    expect(receipts.map((row) => row.seq)).toEqual([receipts[0]?.seq, (receipts[0]?.seq ?? 0) + 1]);
    expect(second.receiptNumber).toBeDefined();
  });

  it('leaves an open sale of the till as it was, to be completed afterwards', () => {
    node = createTestNode();
    const as = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { registerId: 'till-1', float: 10_000 }, as));
    const { saleId } = expectOk(node.engine.execute('sale-start', { registerId: 'till-1' }, as));
    const open = expectOk(
      node.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, as),
    );
    const before = databaseSnapshot(node.engine);

    expect(node.engine.warmUp(2, Number.POSITIVE_INFINITY).sales).toBe(2);

    expect(databaseSnapshot(node.engine)).toEqual(before);
    expect(expectOk(node.engine.execute('sale-get', { saleId }, as))).toEqual(open);
    expectOk(
      node.engine.execute(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: open.totals.total } },
        as,
      ),
    );
    expect(expectOk(node.engine.execute('sale-complete', { saleId }, as)).status).toBe('completed');
  });

  it('stops at a sale it cannot ring up, says why, and writes nothing', () => {
    // A disk below the headroom refuses every new sale: so is the warm-up's.
    node = createTestNode({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    const before = databaseSnapshot(node.engine);
    const report = node.engine.warmUp(3, Number.POSITIVE_INFINITY);
    expect(report.sales).toBe(0);
    expect(report.stoppedBy).toBe('STORAGE_FULL');
    expect(databaseSnapshot(node.engine)).toEqual(before);
  });

  it('does nothing inside a transaction a caller holds, or when asked for no sales', () => {
    node = createTestNode();
    expect(node.engine.warmUp(0)).toEqual({ sales: 0, ms: 0 });
    const engine = node.engine;
    const inside = engine.db.transaction(() => engine.warmUp(3, Number.POSITIVE_INFINITY))();
    expect(inside).toEqual({ sales: 0, ms: 0 });
  });

  it('stops after the sale that passes its time budget', () => {
    node = createTestNode();
    expect(node.engine.warmUp(50, 0).sales).toBe(1);
  });

  it('reads its size from POS_STORE_WARMUP_SALES, and a start never fails for it', () => {
    expect(warmUpSalesSetting(undefined)).toBe(DEFAULT_WARMUP_SALES);
    expect(warmUpSalesSetting('0')).toBe(0);
    expect(warmUpSalesSetting(' 40 ')).toBe(40);
    expect(warmUpSalesSetting('-3')).toBe(DEFAULT_WARMUP_SALES);
    expect(warmUpSalesSetting('lots')).toBe(DEFAULT_WARMUP_SALES);
    const logged: string[] = [];
    const logger = {
      info: (_: Record<string, unknown>, message: string) => logged.push(`info ${message}`),
      warn: (_: Record<string, unknown>, message: string) => logged.push(`warn ${message}`),
    };
    warmUpAtStart(
      {
        warmUp() {
          throw new Error('disk I/O error');
        },
      },
      {},
      logger,
    );
    expect(logged).toEqual(['warn warm-up of the sale path failed; the node serves cold']);
  });
});
