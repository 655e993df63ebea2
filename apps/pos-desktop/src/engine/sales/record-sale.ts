import { sql, type TxContext } from '../context';
import { recordMovements } from '../services/stock-movements';
import type { SaleDraft } from './draft';
import { recordGiftCardLoads } from './gift-card-loads';
import type { SaleCompletion } from './sale-completion';

/**
 * Writes a completed sale into the command's transaction: the sale row, its lines, adjustments, taxes,
 * tenders, stock movements and gift card loads, all from the event `sale.completed` just appended
 * (`deviceSeq` ties the rows to it), so the rows and the outbox never disagree.
 */
export function recordCompletedSale(
  ctx: TxContext,
  sale: { readonly receiptSeq: number; readonly draft: SaleDraft },
  { payload, promotions }: SaleCompletion,
  deviceSeq: number,
): void {
  const { saleId, lines, tenders, totals } = payload;
  if (payload.loyalty !== undefined)
    sql(ctx.db, 'UPDATE sales SET loyalty = ? WHERE sale_id = ?').run(
      JSON.stringify(payload.loyalty),
      saleId,
    );

  sql(
    ctx.db,
    `UPDATE sales SET status = 'completed', shift_id = ?, staff_id = ?, receipt_seq = ?, receipt_number = ?,
       price_book_version = ?, promotion_ids = ?, promotions = ?, subtotal = ?, discount = ?, tax = ?, total = ?,
       cash_rounding = ?, paid = ?, change = ?, overrides = ?, completed_at = ?, completed_at_ms = ?, device_seq = ?,
       tx_id = ?, draft = NULL
     WHERE sale_id = ?`,
  ).run(
    payload.shiftId,
    payload.staffId,
    sale.receiptSeq,
    payload.receiptNumber,
    payload.priceBookVersion,
    JSON.stringify(promotions.map((promotion) => promotion.promotionId)),
    JSON.stringify(promotions),
    totals.subtotal,
    totals.discount,
    totals.tax,
    totals.total,
    totals.cashRounding,
    totals.paid,
    totals.change,
    JSON.stringify(payload.overrides),
    ctx.nowIso,
    ctx.nowMs,
    deviceSeq,
    ctx.txId,
    saleId,
  );
  const insertLine = sql(
    ctx.db,
    `INSERT INTO sale_lines (line_id, sale_id, line_no, sku, name, qty, unit, unit_price, tax_inclusive, price_book_id,
       extended, paid, tax_category, price_source, price_book_version, original_unit_price, net)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAdjustment = sql(
    ctx.db,
    `INSERT INTO sale_adjustments (sale_id, line_id, seq, kind, promotion_id, amount, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTax = sql(
    ctx.db,
    'INSERT INTO sale_tax_lines (sale_id, line_id, rate_id, name, percent, amount) VALUES (?, ?, ?, ?, ?, ?)',
  );
  lines.forEach((line, index) => {
    insertLine.run(
      line.lineId,
      saleId,
      index + 1,
      line.sku,
      line.name,
      line.qty,
      line.unit,
      line.unitPrice,
      line.taxInclusive ? 1 : 0,
      line.priceBookId ?? null,
      line.extended,
      line.paid,
      line.taxCategory,
      line.priceSource,
      line.priceBookVersion ?? null,
      line.originalUnitPrice ?? null,
      line.net,
    );
    line.adjustments.forEach((adjustment, seq) =>
      insertAdjustment.run(
        saleId,
        line.lineId,
        seq + 1,
        adjustment.kind,
        adjustment.promotionId ?? null,
        adjustment.amount,
        adjustment.reason,
      ),
    );
    for (const tax of line.taxes)
      insertTax.run(saleId, line.lineId, tax.rateId, tax.name, tax.percent, tax.amount);
  });
  const insertTender = sql(
    ctx.db,
    `INSERT INTO sale_tenders (tender_id, sale_id, seq, type, amount, change, reference, points, tendered)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  tenders.forEach((tender, index) =>
    insertTender.run(
      tender.tenderId,
      saleId,
      index + 1,
      tender.type,
      tender.amount,
      'change' in tender ? tender.change : null,
      'reference' in tender ? tender.reference : null,
      'points' in tender ? tender.points : null,
      tender.tendered,
    ),
  );
  recordMovements(ctx, payload.movements, deviceSeq, saleId);
  recordGiftCardLoads(ctx, saleId, sale.draft);
}
