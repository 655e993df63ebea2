import { DomainError, STORE_CREDIT_CODE_PATTERN, money, negate } from '@retail/domain';
import type { Receipt, ReturnView, SaleView } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { returnView } from '../services/return-records';
import { findCustomerRow } from '../loyalty/loyalty-cache';
import { receiptLoyalty } from '../loyalty/sale-loyalty';
import { findSale } from '../sales/draft';
import { hubSaleView } from '../sales/hub-sale';
import type { SaleLookup } from '@retail/sync';
import { readLegalHeader } from '../settings';
import { exchangeRefunds, storedSaleView } from '../sales/stored-sale';
import { customerPayment } from './customer-reference';

function storeName(ctx: TxContext): string | null {
  const row = sql(ctx.db, 'SELECT name FROM stores WHERE store_id = ?').get(ctx.identity.storeId) as
    { name: string } | undefined;
  return row?.name ?? null;
}

function staffName(ctx: TxContext, staffId: string): string | null {
  const row = sql(ctx.db, 'SELECT name FROM staff WHERE staff_id = ?').get(staffId) as
    { name: string } | undefined;
  return row?.name ?? null;
}

function header(ctx: TxContext) {
  return {
    currency: ctx.identity.currency,
    locale: ctx.identity.locale,
    timezone: ctx.identity.timezone,
    store: { code: ctx.identity.storeCode, name: storeName(ctx) },
    deviceNo: ctx.identity.deviceNo,
    legal: readLegalHeader(ctx.db),
  };
}

/** The items an exchange took back and how the rest of their refund went back, for the sale's receipt. */
/** The return half of an exchange sale, recorded in the same transaction. */
function exchangeReturn(
  ctx: TxContext,
  sale: SaleView,
): { returnId: string; receiptNumber: string } | undefined {
  if (!sale.exchange) return undefined;
  return sql(
    ctx.db,
    `SELECT x.return_id AS returnId, x.receipt_number AS receiptNumber FROM returns x JOIN sales s ON s.tx_id = x.tx_id
     WHERE s.sale_id = ?`,
  ).get(sale.saleId) as { returnId: string; receiptNumber: string } | undefined;
}

function exchangeBlock(ctx: TxContext, sale: SaleView): Receipt['exchange'] {
  const returned = exchangeReturn(ctx, sale);
  if (!sale.exchange || !returned) return null;
  const view = returnView(ctx, returned.returnId);
  return {
    returnReceiptNumber: returned.receiptNumber,
    originalReceiptNumber: sale.exchange.receiptNumber,
    lines: view.lines.map((line) => ({
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      amount: negate(money(line.refund, sale.currency)).amount,
    })),
    refunds: exchangeRefunds(ctx, returned.returnId),
  };
}

/**
 * The store credit a return issued, one slip per new credit: its short code (SC-XXXX-XXXX-XXXX, what spends
 * it), the amount and the customer it belongs to when one was attached. Value put back onto a card or an
 * existing credit, and an exchange's credit spent on its own sale, are not new slips.
 */
function storeCreditSlips(ctx: TxContext, returnId: string): NonNullable<Receipt['storeCreditSlips']> {
  const owner = sql(ctx.db, 'SELECT customer_id AS customerId FROM returns WHERE return_id = ?').get(
    returnId,
  ) as { customerId: string | null } | undefined;
  const customerId = owner?.customerId ?? null;
  const customerName = customerId === null ? null : (findCustomerRow(ctx.db, customerId)?.name ?? null);
  return returnedRefunds(ctx, returnId)
    .filter(
      (refund) =>
        refund.type === 'store_credit' &&
        refund.amount > 0 &&
        refund.reference !== null &&
        STORE_CREDIT_CODE_PATTERN.test(refund.reference),
    )
    .map((refund) => ({ code: refund.reference as string, amount: refund.amount, customerName }));
}

function exchangeSlips(ctx: TxContext, sale: SaleView): NonNullable<Receipt['storeCreditSlips']> {
  const returned = exchangeReturn(ctx, sale);
  return returned ? storeCreditSlips(ctx, returned.returnId) : [];
}

/** Not a catalog SKU: gift cards are loads on the sale, never items (sales/gift-card-loads.ts). */
const GIFT_CARD_RECEIPT_SKU = 'gift-card';

function saleReceipt(ctx: TxContext, sale: SaleView, copy: boolean): Receipt {
  const cashRounding = sale.payment.cashRounding;
  return {
    kind: 'sale',
    copy,
    voided: sale.status === 'voided',
    receiptNumber: sale.receiptNumber ?? '',
    originalReceiptNumber: null,
    issuedAt: sale.completedAt ?? sale.startedAt,
    ...header(ctx),
    staffName: staffName(ctx, sale.staffId),
    lines: [
      ...sale.lines.map((line) => ({
        sku: line.sku,
        name: line.name,
        unit: line.unit,
        qty: line.qty,
        unitPrice: line.unitPrice,
        amount: line.extended,
        adjustments: line.adjustments.map((adjustment) => ({
          label: adjustment.reason,
          amount: negate(money(adjustment.amount, sale.currency)).amount,
        })),
        note:
          line.priceSource === 'override'
            ? 'Price changed by a manager'
            : line.priceSource === 'label'
              ? 'Label price'
              : null,
      })),
      ...(sale.giftCards ?? []).map((load) => ({
        sku: GIFT_CARD_RECEIPT_SKU,
        name: `Gift card ${load.maskedNumber} ${load.kind === 'activate' ? '(new card)' : '(reload)'}`,
        unit: 'each' as const,
        qty: 1,
        unitPrice: load.amount,
        amount: load.amount,
        adjustments: [],
        note: 'Spendable once HQ has loaded it',
      })),
    ],
    totals: {
      subtotal: sale.totals.subtotal,
      discount: sale.totals.discount,
      tax: sale.totals.tax,
      total: sale.totals.total,
      cashRounding,
      change: sale.payment.change,
    },
    taxes: sale.taxSummary.map(({ name, percent, taxable, tax }) => ({ name, percent, taxable, tax })),
    payments: sale.tenders.map((tender) => ({
      ...customerPayment(ctx, tender.type, tender.reference, 'sale'),
      amount: tender.amount,
      tendered: tender.tendered,
      change: tender.change,
      points: tender.points ?? null,
    })),
    exchange: exchangeBlock(ctx, sale),
    storeCreditSlips: exchangeSlips(ctx, sale),
    promotions: sale.promotions.map(({ name, total }) => ({ name, total })),
    loyalty: receiptLoyalty(ctx, sale.saleId),
    notes: [],
    barcode: { symbology: 'code128', value: sale.receiptNumber ?? '' },
  };
}

function returnReceipt(ctx: TxContext, returned: ReturnView, copy: boolean): Receipt {
  return {
    kind: 'return',
    copy,
    voided: false,
    receiptNumber: returned.receiptNumber,
    originalReceiptNumber: returned.originalReceiptNumber,
    issuedAt: returned.completedAt,
    ...header(ctx),
    staffName: staffName(ctx, returned.staffId),
    lines: returned.lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: null,
      amount: line.refund,
      adjustments: [],
      note: line.disposition === 'sellable' ? null : `Returned as ${line.disposition.replace('_', ' ')}`,
    })),
    totals: {
      subtotal: returned.total,
      discount: 0,
      tax: 0,
      total: returned.total,
      cashRounding: 0,
      change: 0,
    },
    taxes: [],
    payments: returnedRefunds(ctx, returned.returnId).map((refund) => ({
      ...customerPayment(ctx, refund.type, refund.reference, 'return'),
      amount: refund.amount,
      tendered: refund.amount,
      change: 0,
      points: refund.points,
    })),
    exchange: null,
    storeCreditSlips: storeCreditSlips(ctx, returned.returnId),
    promotions: [],
    loyalty: null,
    notes: returned.notes,
    barcode: { symbology: 'code128', value: returned.receiptNumber },
  };
}

/** A return's refunds with the points each gave back (the return view leaves points out). */
function returnedRefunds(ctx: TxContext, returnId: string) {
  return sql(
    ctx.db,
    'SELECT type, amount, reference, points FROM return_refunds WHERE return_id = ? ORDER BY seq',
  ).all(returnId) as { type: string; amount: number; reference: string | null; points: number | null }[];
}

/** The receipt for a sale or return number; `copy` marks a reprint. */
export function buildReceipt(ctx: TxContext, receiptNumber: string, copy: boolean): Receipt {
  const sale = sql(ctx.db, 'SELECT sale_id AS saleId FROM sales WHERE receipt_number = ?').get(
    receiptNumber,
  ) as { saleId: string } | undefined;
  if (sale) return saleReceipt(ctx, storedSaleView(ctx, findSale(ctx, sale.saleId)), copy);
  const returned = sql(ctx.db, 'SELECT return_id AS returnId FROM returns WHERE receipt_number = ?').get(
    receiptNumber,
  ) as { returnId: string } | undefined;
  if (returned) return returnReceipt(ctx, returnView(ctx, returned.returnId), copy);
  throw new DomainError(
    'NOT_FOUND',
    'receipts.noSaleReturnReceipt',
    { receiptNumber },
    {
      receiptNumber,
    },
  );
}

/** Whether this node holds a sale or return with that receipt number (else only the hub can answer). */
export function holdsReceipt(db: TxContext['db'], receiptNumber: string): boolean {
  const wanted = receiptNumber.trim();
  return (
    db.prepare('SELECT 1 FROM sales WHERE receipt_number = ?').get(wanted) !== undefined ||
    db.prepare('SELECT 1 FROM returns WHERE receipt_number = ?').get(wanted) !== undefined
  );
}

/**
 * A sale this node does not hold, from the hub's record (another store's sale, another node's, an online
 * order): always a COPY, since the original was printed where it was sold, and headed with the store that
 * sold it. The hub's record leaves out taxes and tender references, so the receipt says so.
 */
export function hubSaleReceipt(ctx: TxContext, sale: SaleLookup): Receipt {
  const soldAt = sql(ctx.db, 'SELECT code, name FROM stores WHERE store_id = ?').get(sale.storeId) as
    { code: string; name: string } | undefined;
  const receipt = saleReceipt(ctx, hubSaleView(sale), true);
  return {
    ...receipt,
    currency: sale.currency,
    store: soldAt ?? { code: sale.storeId, name: null },
    legal: null,
    notes: [
      `Copy from HQ's record, printed at store ${ctx.identity.storeCode}. Taxes and payment details are on the original receipt.`,
    ],
  };
}
