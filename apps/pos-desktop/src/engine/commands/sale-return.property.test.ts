import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localStock } from '../local-stock';
import { checkedOutbox, createTestNode, expectOk, type TestNode } from '../testing/test-node';

type Step =
  | {
      kind: 'sell';
      lines: { sku: 0 | 1; qty: number; discount: number }[];
      cardShare: number;
      extraCash: number;
    }
  | { kind: 'return'; sale: number; line: number; qty: number; disposition: 'sellable' | 'damaged' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('sell' as const),
    lines: fc.array(
      fc.record({
        sku: fc.constantFrom(0 as const, 1 as const),
        qty: fc.integer({ min: 1, max: 5 }),
        discount: fc.constantFrom(0, 0, 5, 10, 33),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    cardShare: fc.constantFrom(0, 0, 25, 50, 100),
    extraCash: fc.integer({ min: 0, max: 500 }),
  }),
  fc.record({
    kind: fc.constant('return' as const),
    sale: fc.nat(),
    line: fc.nat(),
    qty: fc.integer({ min: 1, max: 4 }),
    disposition: fc.constantFrom('sellable' as const, 'damaged' as const),
  }),
);

const SKUS = ['APPLE-1', 'MILK-1'] as const;

describe('sales and returns', () => {
  it('never refund more than was paid per line and per tender, nor more cash than was taken, and keep stock exact', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), (steps) => {
        const node: TestNode = createTestNode({ stock: { 'APPLE-1': 100, 'MILK-1': 100 } });
        try {
          const cashier = { session: node.sessions.cashier };
          const manager = { session: node.sessions.manager };
          expectOk(node.engine.execute('shift-open', { float: 1_000_000 }, cashier));
          const receipts: {
            receiptNumber: string;
            lines: { lineId: string; qty: number; returned: number }[];
          }[] = [];
          const expectedStock = {
            'APPLE-1': { sellable: 100, damaged: 0 },
            'MILK-1': { sellable: 100, damaged: 0 },
          };
          for (const step of steps) {
            if (step.kind === 'sell') {
              const saleId = expectOk(node.engine.execute('sale-start', {}, cashier)).saleId;
              for (const line of step.lines) {
                const view = expectOk(
                  node.engine.execute(
                    'sale-add-line',
                    { saleId, sku: SKUS[line.sku], qty: line.qty },
                    cashier,
                  ),
                );
                if (line.discount > 0) {
                  const lineId = view.lines.find((candidate) => candidate.sku === SKUS[line.sku])!.lineId;
                  expectOk(
                    node.engine.execute(
                      'sale-discount-line',
                      { saleId, lineId, discount: { percent: line.discount } },
                      manager,
                    ),
                  );
                }
              }
              const total = expectOk(node.engine.execute('sale-get', { saleId }, cashier)).totals.total;
              const card = Math.floor((total * step.cardShare) / 100);
              if (card > 0) {
                expectOk(
                  node.engine.execute(
                    'sale-add-tender',
                    { saleId, tender: { type: 'card', amount: card, reference: 'A' } },
                    cashier,
                  ),
                );
              }
              if (total - card > 0) {
                expectOk(
                  node.engine.execute(
                    'sale-add-tender',
                    { saleId, tender: { type: 'cash', amount: total - card + step.extraCash } },
                    cashier,
                  ),
                );
              }
              const done = expectOk(node.engine.execute('sale-complete', { saleId }, cashier));
              receipts.push({
                receiptNumber: done.receiptNumber!,
                lines: done.lines.map((line) => ({ lineId: line.lineId, qty: line.qty, returned: 0 })),
              });
              for (const line of done.lines)
                expectedStock[line.sku as (typeof SKUS)[number]].sellable -= line.qty;
            } else {
              const receipt = receipts[step.sale % Math.max(1, receipts.length)];
              if (!receipt) continue;
              const line = receipt.lines[step.line % receipt.lines.length]!;
              const result = node.engine.execute(
                'return-create',
                {
                  receiptNumber: receipt.receiptNumber,
                  lines: [{ lineId: line.lineId, qty: step.qty, disposition: step.disposition }],
                },
                cashier,
              );
              if (line.returned + step.qty > line.qty) {
                expect(result.ok ? 'ok' : result.error.code).toBe('RETURN_EXCEEDS_SOLD');
              } else {
                const returned = expectOk(result);
                line.returned += step.qty;
                const sku = returned.lines[0]!.sku as (typeof SKUS)[number];
                expectedStock[sku][step.disposition] += step.qty;
              }
            }
          }

          const db = node.engine.db;
          // Per line: refunds never exceed paid, and equal it exactly once everything came back.
          const lines = db
            .prepare(
              `SELECT l.line_id AS lineId, l.qty, l.paid, COALESCE(SUM(r.qty), 0) AS returnedQty, COALESCE(SUM(r.refund), 0) AS refunded
               FROM sale_lines l LEFT JOIN return_lines r ON r.original_line_id = l.line_id GROUP BY l.line_id`,
            )
            .all() as { lineId: string; qty: number; paid: number; returnedQty: number; refunded: number }[];
          for (const line of lines) {
            expect(line.refunded).toBeLessThanOrEqual(line.paid);
            if (line.returnedQty === line.qty) expect(line.refunded).toBe(line.paid);
          }
          // Per tender: what was charged against it never exceeds what it paid.
          const tenders = db
            .prepare(
              `SELECT t.tender_id AS tenderId, t.amount, COALESCE(SUM(f.amount), 0) AS refunded
               FROM sale_tenders t LEFT JOIN return_refunds f ON f.original_tender_id = t.tender_id GROUP BY t.tender_id`,
            )
            .all() as { tenderId: string; amount: number; refunded: number }[];
          for (const tender of tenders) expect(tender.refunded).toBeLessThanOrEqual(tender.amount);
          // Per sale: cash out never exceeds the cash taken in, and refunds never exceed the total.
          const sales = db
            .prepare(
              `SELECT s.sale_id AS saleId, s.total + s.cash_rounding AS paid,
                 (SELECT COALESCE(SUM(amount), 0) FROM sale_tenders t WHERE t.sale_id = s.sale_id AND t.type = 'cash') AS cashIn,
                 (SELECT COALESCE(SUM(f.amount), 0) FROM return_refunds f JOIN returns x ON x.return_id = f.return_id
                    WHERE x.original_sale_id = s.sale_id AND f.type = 'cash') AS cashOut,
                 (SELECT COALESCE(SUM(x.refund_total), 0) FROM returns x WHERE x.original_sale_id = s.sale_id) AS refunded
               FROM sales s WHERE s.status = 'completed'`,
            )
            .all() as { saleId: string; paid: number; cashIn: number; cashOut: number; refunded: number }[];
          for (const sale of sales) {
            expect(sale.cashOut).toBeLessThanOrEqual(sale.cashIn);
            expect(sale.refunded).toBeLessThanOrEqual(sale.paid);
          }
          for (const sku of SKUS) {
            const [level] = localStock(db, node.engine.identity, [sku]);
            expect({ sellable: level?.sellable, damaged: level?.damaged }).toEqual(expectedStock[sku]);
          }
          checkedOutbox(node.engine);
        } finally {
          node.close();
        }
      }),
      { numRuns: 20 },
    );
  });
});
