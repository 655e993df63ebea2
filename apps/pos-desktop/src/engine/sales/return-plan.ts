import {
  DomainError,
  money,
  planRefundTenders,
  refundForLines,
  type Money,
  type PlannedRefund,
  type RefundTenderType,
} from '@retail/domain';
import { sql, type TxContext } from '../context';
import { findSaleByReceipt } from './draft';

export type Disposition = 'sellable' | 'damaged' | 'quality_control' | 'write_off';

export interface ReturnLineInput {
  readonly returnLineId: string;
  readonly originalLineId?: string;
  readonly sku: string;
  readonly qty: number;
  readonly refund: number;
  readonly disposition: Disposition;
}

export interface ReceiptReturnRequest {
  readonly receiptNumber: string;
  readonly lines: readonly { lineId: string; qty: number; disposition: Disposition }[];
}

export interface ReceiptReturnPlan {
  readonly saleId: string;
  readonly receiptNumber: string;
  readonly lines: readonly ReturnLineInput[];
  readonly total: Money;
  readonly refunds: readonly PlannedRefund[];
}

/**
 * What returning these lines of a receipt refunds, per line (as paid, never more than sold minus already
 * returned) and per original tender (card shares redirected while the hub is offline). Writes nothing:
 * a return and an exchange both record it afterwards.
 */
export function planReceiptReturn(ctx: TxContext, request: ReceiptReturnRequest): ReceiptReturnPlan {
  const sale = findSaleByReceipt(ctx, request.receiptNumber);
  if (sale.status !== 'completed') {
    throw new DomainError('NOT_ALLOWED', 'sales.saleVoidedNothingReturn', {
      receiptNumber: request.receiptNumber,
    });
  }
  const currency = sale.currency;
  const soldLines = sql(
    ctx.db,
    'SELECT line_id AS lineId, sku, qty, unit, paid FROM sale_lines WHERE sale_id = ? ORDER BY line_no',
  ).all(sale.saleId) as { lineId: string; sku: string; qty: number; unit: 'each' | 'kg'; paid: number }[];
  // Through the sale's own lines (indexed by sale): sale_tax_lines has no index by sale, and giving it one
  // would cost every sale's completion a write for this one read.
  const taxRows = sql(
    ctx.db,
    `SELECT t.line_id AS lineId, t.rate_id AS rateId, t.amount
     FROM sale_lines l JOIN sale_tax_lines t ON t.line_id = l.line_id WHERE l.sale_id = ?`,
  ).all(sale.saleId) as { lineId: string; rateId: string; amount: number }[];
  const prior = sql(
    ctx.db,
    `SELECT r.original_line_id AS originalLineId, r.qty, r.refund FROM return_lines r JOIN returns x ON x.return_id = r.return_id
     WHERE x.original_sale_id = ?`,
  ).all(sale.saleId) as { originalLineId: string; qty: number; refund: number }[];
  const refund = refundForLines(
    soldLines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      unit: line.unit,
      paid: money(line.paid, currency),
      taxes: taxRows
        .filter((tax) => tax.lineId === line.lineId)
        .map((tax) => ({ rateId: tax.rateId, amount: money(tax.amount, currency) })),
    })),
    prior.map((line) => ({
      originalLineId: line.originalLineId,
      qty: line.qty,
      refund: money(line.refund, currency),
    })),
    request.lines.map((line) => ({ lineId: line.lineId, qty: line.qty })),
  );
  const tenders = sql(
    ctx.db,
    'SELECT tender_id AS tenderId, type, amount, reference, points FROM sale_tenders WHERE sale_id = ? ORDER BY seq',
  ).all(sale.saleId) as {
    tenderId: string;
    type: 'cash' | 'card' | 'store_credit' | 'gift_card' | 'loyalty_points';
    amount: number;
    reference: string | null;
    points: number | null;
  }[];
  const priorRefunds = sql(
    ctx.db,
    `SELECT f.original_tender_id AS tenderId, f.type, f.amount, f.points FROM return_refunds f
     JOIN returns x ON x.return_id = f.return_id WHERE x.original_sale_id = ? AND f.original_tender_id IS NOT NULL`,
  ).all(sale.saleId) as {
    tenderId: string;
    type: RefundTenderType;
    amount: number;
    points: number | null;
  }[];
  // Card refunds need the hub online (DESIGN §3); offline, card shares go to cash or store credit.
  const plan = planRefundTenders(
    refund.total,
    tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      amount: money(tender.amount, currency),
      ...(tender.reference === null ? {} : { reference: tender.reference }),
      ...(tender.points === null ? {} : { points: tender.points }),
    })),
    priorRefunds.map((priorRefund) => ({
      tenderId: priorRefund.tenderId,
      amount: money(priorRefund.amount, currency),
      type: priorRefund.type,
      ...(priorRefund.points === null ? {} : { points: priorRefund.points }),
    })),
    { hubOnline: ctx.sync.online },
  );
  return {
    saleId: sale.saleId,
    receiptNumber: request.receiptNumber,
    lines: refund.lines.map((line, index) => ({
      returnLineId: ctx.newId(),
      originalLineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      refund: line.refund.amount,
      disposition: request.lines[index]?.disposition ?? 'sellable',
    })),
    total: refund.total,
    refunds: plan.refunds.filter((planned) => planned.amount.amount > 0),
  };
}
