import { add, money, subtract } from '@retail/domain';
import type { EventPayloads } from '@retail/sync';
import type { SaleView } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { storedGiftCardLoads } from './gift-card-loads';
import { customerPayment } from '../receipts/customer-reference';
import type { SaleRow } from './draft';

type ExchangeRefund = NonNullable<NonNullable<SaleView['exchange']>['refunds']>[number];

interface TotalsRow {
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  cashRounding: number;
  change: number;
  priceBookVersion: string | null;
  promotions: string;
}

interface LineRow {
  lineId: string;
  sku: string;
  name: string;
  unit: 'each' | 'kg';
  qty: number;
  unitPrice: number;
  taxInclusive: number;
  priceSource: 'price_book' | 'label' | 'override';
  priceBookId: string | null;
  originalUnitPrice: number | null;
  extended: number;
  net: number;
  paid: number;
}

/**
 * What an exchange paid back beyond the new items, as the customer reads it: the credit spent on the sale
 * is not a refund, and the new slip's code or the card's masked number is shown, never an account id.
 */
export function exchangeRefunds(ctx: TxContext, returnId: string): ExchangeRefund[] {
  const rows = sql(
    ctx.db,
    `SELECT type, SUM(amount) AS amount, SUM(points) AS points, reference FROM return_refunds
     WHERE return_id = ? AND amount > 0 GROUP BY type, reference ORDER BY MIN(seq)`,
  ).all(returnId) as {
    type: ExchangeRefund['type'];
    amount: number;
    points: number | null;
    reference: string | null;
  }[];
  return rows.flatMap((refund) => {
    const shown = customerPayment(ctx, refund.type, refund.reference, 'return');
    if (shown.type === 'exchange_credit') return [];
    return [{ type: refund.type, amount: refund.amount, points: refund.points, reference: shown.reference }];
  });
}

/** The return written in the same transaction as the sale, when the sale was an exchange. */
function storedExchange(
  ctx: TxContext,
  row: SaleRow,
  tenders: readonly { type: string; amount: number; reference: string | null }[],
): SaleView['exchange'] {
  const returned = sql(
    ctx.db,
    `SELECT x.return_id AS returnId, x.original_receipt_number AS receiptNumber, x.refund_total AS refund,
       x.receipt_number AS returnReceiptNumber
     FROM returns x JOIN sales s ON s.tx_id = x.tx_id WHERE s.sale_id = ?`,
  ).get(row.saleId) as
    { returnId: string; receiptNumber: string; refund: number; returnReceiptNumber: string } | undefined;
  if (!returned) return null;
  const lines = sql(
    ctx.db,
    'SELECT original_line_id AS lineId, sku, qty, refund FROM return_lines WHERE return_id = ? ORDER BY rowid',
  ).all(returned.returnId) as { lineId: string; sku: string; qty: number; refund: number }[];
  const credit = tenders.find(
    (tender) => tender.type === 'store_credit' && tender.reference === `EXCHANGE-${row.saleId}`,
  );
  const creditAmount = credit?.amount ?? 0;
  return {
    receiptNumber: returned.receiptNumber,
    lines,
    refund: returned.refund,
    credit: creditAmount,
    refundDue: subtract(money(returned.refund, row.currency), money(creditAmount, row.currency)).amount,
    returnReceiptNumber: returned.returnReceiptNumber,
    refunds: exchangeRefunds(ctx, returned.returnId),
  };
}

interface AdjustmentRow {
  lineId: string;
  kind: 'promotion' | 'manual_line' | 'manual_order';
  promotionId: string | null;
  amount: number;
  reason: string;
}

interface TaxRow {
  lineId: string;
  rateId: string;
  name: string;
  percent: number;
  amount: number;
}

interface TenderRow {
  tenderId: string;
  type: 'cash' | 'card' | 'store_credit' | 'gift_card' | 'loyalty_points';
  points: number | null;
  amount: number;
  tendered: number | null;
  change: number | null;
  reference: string | null;
}

/** A completed sale's rows as the sale tables hold them, in the order `storedSaleView` reads them. */
interface SaleRows {
  readonly totals: Omit<TotalsRow, 'promotions'>;
  readonly promotions: SaleView['promotions'];
  readonly lines: readonly LineRow[];
  /** In line order, each line's by seq. */
  readonly adjustments: readonly AdjustmentRow[];
  /** By rate id. */
  readonly taxes: readonly TaxRow[];
  readonly tenders: readonly TenderRow[];
  readonly giftCards: NonNullable<SaleView['giftCards']>;
}

/**
 * A completed (or post-voided) sale exactly as it was frozen: read from the sale tables, never re-priced.
 * Adjustments and tax lines are keyed by line (no index on their sale_id), so they are reached through the
 * sale's lines: a plain `WHERE sale_id = ?` scanned every sale the till ever rang (docs/performance.md).
 */
export function storedSaleView(ctx: TxContext, row: SaleRow): SaleView {
  const totals = sql(
    ctx.db,
    `SELECT subtotal, discount, tax, total, cash_rounding AS cashRounding, change, price_book_version AS priceBookVersion,
       promotions FROM sales WHERE sale_id = ?`,
  ).get(row.saleId) as TotalsRow;
  const lines = sql(
    ctx.db,
    `SELECT line_id AS lineId, sku, name, unit, qty, unit_price AS unitPrice, tax_inclusive AS taxInclusive,
       price_source AS priceSource, price_book_id AS priceBookId, original_unit_price AS originalUnitPrice, extended, net,
       paid
     FROM sale_lines WHERE sale_id = ? ORDER BY line_no`,
  ).all(row.saleId) as LineRow[];
  const adjustments = sql(
    ctx.db,
    `SELECT a.line_id AS lineId, a.kind, a.promotion_id AS promotionId, a.amount, a.reason
     FROM sale_lines l JOIN sale_adjustments a ON a.line_id = l.line_id
     WHERE l.sale_id = ? AND a.sale_id = l.sale_id ORDER BY a.line_id, a.seq`,
  ).all(row.saleId) as AdjustmentRow[];
  const taxes = sql(
    ctx.db,
    `SELECT t.line_id AS lineId, t.rate_id AS rateId, t.name, t.percent, t.amount
     FROM sale_lines l JOIN sale_tax_lines t ON t.line_id = l.line_id
     WHERE l.sale_id = ? AND t.sale_id = l.sale_id ORDER BY t.rate_id`,
  ).all(row.saleId) as TaxRow[];
  const tenders = sql(
    ctx.db,
    `SELECT tender_id AS tenderId, type, amount, tendered, change, reference, points FROM sale_tenders WHERE sale_id = ? ORDER BY seq`,
  ).all(row.saleId) as TenderRow[];
  return saleViewOf(ctx, row, {
    totals,
    promotions: JSON.parse(totals.promotions) as SaleView['promotions'],
    lines,
    adjustments,
    taxes,
    tenders,
    giftCards: storedGiftCardLoads(ctx.db, row.saleId),
  });
}

/**
 * The answer of `sale-complete`: the view `storedSaleView` would read back, built from the `sale.completed`
 * payload the completion just wrote its rows from (`recordCompletedSale`), with no read of those rows.
 * `row` is the sale's row as it stands after the completion. completed-sale-view.test.ts checks it equals
 * the read-back view over varied sales.
 */
export function completedSaleView(
  ctx: TxContext,
  row: SaleRow,
  payload: EventPayloads['sale.completed'],
  promotions: SaleView['promotions'],
  giftCards: NonNullable<SaleView['giftCards']>,
): SaleView {
  const lines: LineRow[] = [];
  const adjustments: AdjustmentRow[] = [];
  const taxes: TaxRow[] = [];
  for (const line of payload.lines) {
    lines.push({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: line.unitPrice,
      taxInclusive: line.taxInclusive ? 1 : 0,
      priceSource: line.priceSource,
      priceBookId: line.priceBookId ?? null,
      originalUnitPrice: line.originalUnitPrice ?? null,
      extended: line.extended,
      net: line.net,
      paid: line.paid,
    });
    for (const adjustment of line.adjustments) {
      adjustments.push({
        lineId: line.lineId,
        kind: adjustment.kind,
        promotionId: adjustment.promotionId ?? null,
        amount: adjustment.amount,
        reason: adjustment.reason,
      });
    }
    for (const tax of line.taxes) {
      taxes.push({
        lineId: line.lineId,
        rateId: tax.rateId,
        name: tax.name,
        percent: tax.percent,
        amount: tax.amount,
      });
    }
  }
  // As read back, by rate id (a stable sort keeps line order within one rate).
  taxes.sort((a, b) => (a.rateId < b.rateId ? -1 : a.rateId > b.rateId ? 1 : 0));
  const { totals } = payload;
  return saleViewOf(ctx, row, {
    totals: {
      subtotal: totals.subtotal,
      discount: totals.discount,
      tax: totals.tax,
      total: totals.total,
      cashRounding: totals.cashRounding,
      change: totals.change,
      priceBookVersion: payload.priceBookVersion,
    },
    promotions,
    lines,
    adjustments,
    taxes,
    tenders: payload.tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      points: tender.points ?? null,
      amount: tender.amount,
      tendered: tender.tendered ?? null,
      change: tender.change ?? null,
      reference: tender.reference ?? null,
    })),
    giftCards,
  });
}

function saleViewOf(ctx: TxContext, row: SaleRow, rows: SaleRows): SaleView {
  const { totals, lines, adjustments, taxes, tenders } = rows;
  const plus = (a: number, b: number) => add(money(a, row.currency), money(b, row.currency)).amount;
  const netByLine = new Map(lines.map((line) => [line.lineId, line.net]));
  const summary = new Map<
    string,
    { rateId: string; name: string; percent: number; taxable: number; tax: number }
  >();
  for (const tax of taxes) {
    const key = `${tax.rateId}\u0000${tax.percent}`;
    const entry = summary.get(key) ?? {
      rateId: tax.rateId,
      name: tax.name,
      percent: tax.percent,
      taxable: 0,
      tax: 0,
    };
    entry.taxable = plus(entry.taxable, netByLine.get(tax.lineId) ?? 0);
    entry.tax = plus(entry.tax, tax.amount);
    summary.set(key, entry);
  }
  const taxByLine = new Map<string, number>();
  for (const tax of taxes) taxByLine.set(tax.lineId, plus(taxByLine.get(tax.lineId) ?? 0, tax.amount));

  return {
    saleId: row.saleId,
    status: row.status,
    registerId: row.registerId,
    shiftId: row.shiftId,
    staffId: row.staffId,
    customerId: row.customerId,
    currency: row.currency,
    receiptNumber: row.receiptNumber,
    lines: lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: line.unitPrice,
      taxInclusive: line.taxInclusive === 1,
      priceSource: line.priceSource,
      priceBookId: line.priceBookId,
      originalUnitPrice: line.originalUnitPrice,
      extended: line.extended,
      adjustments: adjustments
        .filter((adjustment) => adjustment.lineId === line.lineId)
        .map(({ kind, promotionId, amount, reason }) => ({ kind, promotionId, amount, reason })),
      discount: null,
      net: line.net,
      tax: taxByLine.get(line.lineId) ?? 0,
      paid: line.paid,
    })),
    giftCards: rows.giftCards,
    orderDiscount: null,
    totals: {
      subtotal: totals.subtotal,
      discount: totals.discount,
      tax: totals.tax,
      total: totals.total,
      cashDue: plus(totals.total, totals.cashRounding),
    },
    tenders: tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      tendered: tender.tendered ?? tender.amount,
      amount: tender.amount,
      change: tender.change ?? 0,
      reference: tender.reference,
      ...(tender.points === null ? {} : { points: tender.points }),
    })),
    payment: {
      remaining: 0,
      cashDue: 0,
      change: totals.change,
      cashRounding: totals.cashRounding,
      complete: true,
    },
    promotions: rows.promotions,
    taxSummary: [...summary.values()].sort((a, b) =>
      a.rateId < b.rateId ? -1 : a.rateId > b.rateId ? 1 : a.percent - b.percent,
    ),
    priceBookVersion: totals.priceBookVersion ?? '',
    exchange: storedExchange(ctx, row, tenders),
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}
