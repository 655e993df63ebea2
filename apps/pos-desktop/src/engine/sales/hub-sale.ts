import { DomainError, money, multiplyRatio, planRefundTenders, refundForLines } from '@retail/domain';
import type { SaleLookup } from '@retail/sync';
import type { SaleView } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import type { ReceiptReturnPlan, ReceiptReturnRequest } from './return-plan';

/**
 * A sale this till does not hold (another store's, another node of this store, or from before the till was
 * set up), as the hub answered `GET /sync/sales/:receipt` before the command's transaction (returns
 * anywhere, BORIS). The hub's answer counts every return it has recorded at any store; returns this till
 * made against the sale that the hub has not acknowledged yet are added here, so a second return at the
 * same till before the next sync cannot refund a line twice.
 */

interface LocalReturnLine {
  originalLineId: string;
  qty: number;
  refund: number;
}

interface LocalRefund {
  tenderId: string;
  type: 'cash' | 'card' | 'store_credit' | 'gift_card' | 'loyalty_points';
  amount: number;
}

function ackedUpTo(ctx: TxContext): number {
  const row = sql(ctx.db, 'SELECT MAX(up_to_seq) AS upTo FROM outbox_acks').get() as { upTo: number | null };
  return row.upTo ?? 0;
}

function unsyncedReturnLines(ctx: TxContext, saleId: string): LocalReturnLine[] {
  return sql(
    ctx.db,
    `SELECT r.hub_line_id AS originalLineId, r.qty, r.refund FROM return_lines r
     JOIN returns x ON x.return_id = r.return_id
     WHERE x.hub_sale_id = ? AND x.device_seq > ? AND r.hub_line_id IS NOT NULL`,
  ).all(saleId, ackedUpTo(ctx)) as LocalReturnLine[];
}

function unsyncedRefunds(ctx: TxContext, saleId: string): LocalRefund[] {
  return sql(
    ctx.db,
    `SELECT f.hub_tender_id AS tenderId, f.type, f.amount FROM return_refunds f
     JOIN returns x ON x.return_id = f.return_id
     WHERE x.hub_sale_id = ? AND x.device_seq > ? AND f.hub_tender_id IS NOT NULL`,
  ).all(saleId, ackedUpTo(ctx)) as LocalRefund[];
}

/**
 * The hub's answer leaves out tender references and points (they name customers' accounts), so a share
 * that must go back onto a gift card, store credit account or points balance cannot be refunded here.
 */
function assertRefundableHere(sale: SaleLookup): void {
  const account = sale.tenders.find((tender) => tender.type !== 'cash' && tender.type !== 'card');
  if (account !== undefined) {
    throw new DomainError(
      'NOT_ALLOWED',
      'sales.receiptPaidPartlyCan',
      { receiptNumber: sale.receiptNumber, value: account.type.replace('_', ' '), storeId: sale.storeId },
      { receiptNumber: sale.receiptNumber, storeId: sale.storeId, tenderType: account.type },
    );
  }
}

/** The same plan as a local receipt's (return-plan.ts), from the hub's figures. */
export function planHubSaleReturn(
  ctx: TxContext,
  sale: SaleLookup,
  request: ReceiptReturnRequest,
): ReceiptReturnPlan {
  if (sale.status !== 'completed') {
    throw new DomainError('NOT_ALLOWED', 'sales.saleVoidedNothingReturn', {
      receiptNumber: sale.receiptNumber,
    });
  }
  if (sale.currency !== ctx.identity.currency) {
    throw new DomainError('NOT_ALLOWED', 'sales.receiptPaidTillRefunds', {
      receiptNumber: sale.receiptNumber,
      currency: sale.currency,
      currency2: ctx.identity.currency,
    });
  }
  assertRefundableHere(sale);
  const currency = sale.currency;
  // Every till refunds a line's cumulative share rounded down (refundForLines), so what the other returns
  // refunded for a line is exactly that share of what has come back.
  const hubPriors = sale.lines
    .filter((line) => line.returnedQty > 0)
    .map((line) => ({
      originalLineId: line.lineId,
      qty: line.returnedQty,
      refund: multiplyRatio(money(line.paid, currency), line.returnedQty, line.qty, 'DOWN'),
    }));
  const localPriors = unsyncedReturnLines(ctx, sale.saleId).map((line) => ({
    originalLineId: line.originalLineId,
    qty: line.qty,
    refund: money(line.refund, currency),
  }));
  const refund = refundForLines(
    sale.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      unit: line.unit,
      paid: money(line.paid, currency),
    })),
    [...hubPriors, ...localPriors],
    request.lines.map((line) => ({ lineId: line.lineId, qty: line.qty })),
  );
  const plan = planRefundTenders(
    refund.total,
    sale.tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      amount: money(tender.amount, currency),
    })),
    [
      ...sale.tenders
        .filter((tender) => tender.refunded > 0)
        .map((tender) => ({ tenderId: tender.tenderId, amount: money(tender.refunded, currency) })),
      ...unsyncedRefunds(ctx, sale.saleId).map((prior) => ({
        tenderId: prior.tenderId,
        amount: money(prior.amount, currency),
        type: prior.type,
      })),
    ],
    { hubOnline: ctx.sync.online },
  );
  return {
    saleId: sale.saleId,
    receiptNumber: sale.receiptNumber,
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

/** The hub's sale shown like a local receipt, with what is still returnable and the store that sold it. */
export function hubSaleView(sale: SaleLookup): SaleView {
  const total = sale.lines.reduce((sum, line) => sum + line.paid, 0);
  return {
    saleId: sale.saleId,
    status: sale.status,
    // Who sold and on which register stay at the hub (SaleLookupSchema): the view says only where.
    registerId: '',
    shiftId: null,
    staffId: 'hub',
    customerId: null,
    currency: sale.currency,
    receiptNumber: sale.receiptNumber,
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: line.unitPrice,
      taxInclusive: true,
      priceSource: 'price_book',
      priceBookId: null,
      originalUnitPrice: null,
      extended: line.paid,
      adjustments: [],
      discount: null,
      net: line.paid,
      tax: 0,
      paid: line.paid,
      returnableQty: line.returnableQty,
    })),
    orderDiscount: null,
    totals: { subtotal: total, discount: 0, tax: 0, total, cashDue: total },
    tenders: sale.tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      tendered: tender.amount,
      amount: tender.amount,
      change: 0,
      reference: null,
    })),
    payment: { remaining: 0, cashDue: 0, change: 0, cashRounding: 0, complete: true },
    promotions: [],
    taxSummary: [],
    priceBookVersion: '',
    exchange: null,
    startedAt: sale.completedAt,
    completedAt: sale.completedAt,
    soldAt: { storeId: sale.storeId, source: 'hub' },
  };
}

/** What the preparation step brought back from the hub for a receipt this till does not hold. */
export interface PreparedHubSale {
  readonly kind: 'hub-sale';
  readonly receiptNumber: string;
  /** The hub's sale; null when the hub answered that it has none. */
  readonly sale: SaleLookup | null;
  /** Why the hub could not be asked (offline, timeout, refused); the sale is null then. */
  readonly unreachable?: string;
}

export interface HubSaleSource {
  online(): boolean;
  lookupSale(receiptNumber: string): Promise<SaleLookup | null>;
}

/**
 * Runs before the transaction (it awaits the hub): only for a receipt this till does not hold, so a local
 * return never waits for the network.
 */
export async function prepareHubSale(
  db: TxContext['db'],
  source: HubSaleSource,
  receiptNumber: string,
): Promise<{ prepared: PreparedHubSale } | undefined> {
  const wanted = receiptNumber.trim();
  const local = db.prepare('SELECT 1 FROM sales WHERE receipt_number = ?').get(wanted);
  if (local !== undefined) return undefined;
  if (!source.online()) {
    // Offline the cashier gets the no-receipt path at once rather than after a network timeout.
    return { prepared: { kind: 'hub-sale', receiptNumber: wanted, sale: null, unreachable: 'offline' } };
  }
  try {
    return { prepared: { kind: 'hub-sale', receiptNumber: wanted, sale: await source.lookupSale(wanted) } };
  } catch (error) {
    const unreachable = error instanceof Error ? error.message : 'The hub could not be asked.';
    return { prepared: { kind: 'hub-sale', receiptNumber: wanted, sale: null, unreachable } };
  }
}

/**
 * The hub's sale for a receipt the till does not hold; a NOT_FOUND that tells the cashier what to do when
 * neither the till nor the hub has it (or the hub cannot be asked: the no-receipt rules, with the number).
 */
export function hubSaleFor(ctx: TxContext, prepared: unknown, receiptNumber: string): SaleLookup {
  const answer = prepared as Partial<PreparedHubSale> | undefined;
  const wanted = receiptNumber.trim();
  if (answer?.kind === 'hub-sale' && answer.receiptNumber === wanted && answer.sale) return answer.sale;
  if (answer?.kind === 'hub-sale' && answer.receiptNumber === wanted && answer.unreachable === undefined) {
    throw new DomainError('NOT_FOUND', 'sales.neitherTillNorHub', { wanted }, { receiptNumber: wanted });
  }
  throw new DomainError(
    'NOT_FOUND',
    'sales.receiptNotTillHub',
    { wanted, online: ctx.sync.online ? 'yes' : 'no' },
    { receiptNumber: wanted, hubUnreachable: true },
  );
}
