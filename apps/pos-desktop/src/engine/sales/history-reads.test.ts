import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestNode, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

/** The tables that keep every sale and return the till ever made: scanning one reads its whole history. */
const HISTORY_TABLES = new Set([
  'sales',
  'sale_lines',
  'sale_tax_lines',
  'sale_tenders',
  'returns',
  'return_lines',
  'return_refunds',
]);

/** The history tables a statement reads whole (a SCAN, or an index SQLite builds for this one query). */
function historyScans(db: TestNode['engine']['db'], text: string): string[] {
  const aliases = new Map<string, string>();
  for (const [, table, alias] of text.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    aliases.set(table!, table!);
    if (alias && !/^(ON|WHERE|JOIN|LEFT|INNER|ORDER|GROUP|USING)$/i.test(alias)) aliases.set(alias, table!);
  }
  const params = Array.from(text.matchAll(/\?/g), () => null);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[];
  return plan
    .map((row) => /^(?:SCAN (\w+)|SEARCH (\w+) USING AUTOMATIC)/.exec(row.detail))
    .map((match) => (match ? aliases.get(match[1] ?? match[2]!) : undefined))
    .filter((table): table is string => table !== undefined && HISTORY_TABLES.has(table));
}

describe('a sale and its returns', () => {
  it("read the till's history through indexes, never a whole history table", () => {
    node = createTestNode();
    const as = { session: node.sessions.cashier };
    const { engine } = node;
    // Statements are prepared once per connection (and cached), so watch from the start.
    const prepare = vi.spyOn(engine.db, 'prepare');
    expectOk(engine.execute('shift-open', { float: 10_000 }, as));
    const saleId = expectOk(engine.execute('sale-start', {}, as)).saleId;
    expectOk(engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 3 }, as));
    const total = expectOk(engine.execute('sale-get', { saleId }, as)).totals.total;
    expectOk(engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
    const sale = expectOk(engine.execute('sale-complete', { saleId }, as));
    const lineId = sale.lines[0]!.lineId;
    const first = expectOk(
      engine.execute(
        'return-create',
        { receiptNumber: sale.receiptNumber!, lines: [{ lineId, qty: 1 }] },
        as,
      ),
    );
    expectOk(
      engine.execute(
        'return-create',
        { receiptNumber: sale.receiptNumber!, lines: [{ lineId, qty: 1 }] },
        as,
      ),
    );
    expectOk(engine.execute('return-get', { receiptNumber: first.receiptNumber }, as));
    expectOk(engine.execute('receipt-preview', { receiptNumber: first.receiptNumber }, as));

    const reads = [...new Set(prepare.mock.calls.map(([text]) => text))].filter((text) =>
      /^\s*(SELECT|WITH)\b/i.test(text),
    );
    prepare.mockRestore();
    expect(reads.some((text) => /\bsale_tax_lines\b/.test(text))).toBe(true);
    expect(reads.some((text) => /\breturn_lines\b/.test(text))).toBe(true);
    const scans = reads
      .map((text) => ({ text: text.replace(/\s+/g, ' ').trim(), tables: historyScans(engine.db, text) }))
      .filter((read) => read.tables.length > 0);
    expect(scans).toEqual([]);
  });
});
