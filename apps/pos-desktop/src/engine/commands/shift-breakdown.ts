import type { ShiftBreakdown } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { hasGiftCardLoads } from '../sales/gift-card-loads';
import { readLegalHeader } from '../settings';

/**
 * What an X or Z report adds to the takings for the books and the store manager (issue 14): sales per VAT
 * rate, discounts given, voids, returns, manager overrides, no-sale drawer openings and every cashier's
 * share, with the legal header HQ set. Read from the frozen sale, return and audit rows of the shift only.
 */
export function shiftBreakdown(ctx: TxContext, shiftId: string): ShiftBreakdown {
  const taxes = sql(
    ctx.db,
    `SELECT t.rate_id AS rateId, t.name, t.percent, SUM(l.net) AS taxable, SUM(t.amount) AS tax
     FROM sale_tax_lines t JOIN sale_lines l ON l.line_id = t.line_id JOIN sales s ON s.sale_id = t.sale_id
     WHERE s.shift_id = ? AND s.status = 'completed'
     GROUP BY t.rate_id, t.name, t.percent ORDER BY t.percent, t.rate_id`,
  ).all(shiftId) as ShiftBreakdown['taxes'];
  const discounts = sql(
    ctx.db,
    `SELECT COUNT(*) AS count, COALESCE(SUM(discount), 0) AS total FROM sales
     WHERE shift_id = ? AND status = 'completed' AND discount > 0`,
  ).get(shiftId) as ShiftBreakdown['discounts'];
  const voids = sql(
    ctx.db,
    `SELECT COUNT(*) FILTER (WHERE receipt_number IS NULL) AS cancelledSales,
       COUNT(*) FILTER (WHERE receipt_number IS NOT NULL) AS postVoids,
       COALESCE(SUM(total) FILTER (WHERE receipt_number IS NOT NULL), 0) AS postVoidTotal
     FROM sales WHERE shift_id = ? AND status = 'voided'`,
  ).get(shiftId) as ShiftBreakdown['voids'];
  // Every command that used an override names its sale, return or shift in the audit log.
  const overrides = sql(
    ctx.db,
    `SELECT o.action, COUNT(*) AS count FROM manager_overrides o
     WHERE o.override_id IN (
       SELECT a.override_id FROM audit_log a WHERE a.override_id IS NOT NULL AND (
         a.subject = ? OR a.subject IN (SELECT sale_id FROM sales WHERE shift_id = ?)
         OR a.subject IN (SELECT return_id FROM returns WHERE shift_id = ?)))
     GROUP BY o.action ORDER BY o.action`,
  ).all(shiftId, shiftId, shiftId) as ShiftBreakdown['overrides'];
  const noSales = sql(
    ctx.db,
    `SELECT COUNT(*) AS count FROM audit_log WHERE action = 'drawer-open'
     AND json_extract(details, '$.reason') = 'no-sale' AND json_extract(details, '$.shiftId') = ?`,
  ).get(shiftId) as { count: number };
  // Gift card loads are stored value sold, not sales (shift.ts).
  const loadsOf = hasGiftCardLoads(ctx.db)
    ? ' - (SELECT COALESCE(SUM(g.amount), 0) FROM sale_gift_cards g WHERE g.sale_id = sales.sale_id)'
    : '';
  const cashiers = sql(
    ctx.db,
    `SELECT p.staff_id AS staffId, COALESCE(st.name, p.staff_id) AS name,
       SUM(p.salesCount) AS salesCount, SUM(p.salesTotal) AS salesTotal,
       SUM(p.returnsCount) AS returnsCount, SUM(p.returnsTotal) AS returnsTotal
     FROM (
       SELECT staff_id, COUNT(*) AS salesCount,
         SUM(total${loadsOf}) AS salesTotal,
         0 AS returnsCount, 0 AS returnsTotal
       FROM sales WHERE shift_id = ? AND status = 'completed' GROUP BY staff_id
       UNION ALL
       SELECT staff_id, 0, 0, COUNT(*), SUM(refund_total) FROM returns WHERE shift_id = ? GROUP BY staff_id
     ) p LEFT JOIN staff st ON st.staff_id = p.staff_id
     GROUP BY p.staff_id ORDER BY name, p.staff_id`,
  ).all(shiftId, shiftId) as ShiftBreakdown['cashiers'];
  return {
    taxes,
    discounts,
    voids,
    overrides,
    noSales: noSales.count,
    cashiers,
    legal: readLegalHeader(ctx.db),
  };
}
