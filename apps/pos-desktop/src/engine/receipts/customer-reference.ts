import { sql, type TxContext } from '../context';
import { cachedStoredValue } from '../loyalty/loyalty-cache';
import { exchangeSaleId } from '../sales/sale-pricing';

/**
 * A payment or refund as a customer reads it on a receipt or the till's screen (issue 14, bug 5): the
 * account ids the node keeps are internal, so a card prints its masked number, a points account nothing
 * (the points count says it all), a new store credit slip its short code (the customer needs all of it to
 * spend it), and the credit of an exchange the receipt number of the other half.
 */
export interface CustomerPayment {
  readonly type: string;
  readonly reference: string | null;
}

export function customerPayment(
  ctx: TxContext,
  type: string,
  reference: string | null,
  on: 'sale' | 'return',
): CustomerPayment {
  if (reference === null) return { type, reference };
  if (type === 'loyalty_points') return { type, reference: null };
  if (type === 'store_credit') {
    const saleId = exchangeSaleId(reference);
    if (saleId !== undefined)
      return { type: 'exchange_credit', reference: exchangeCounterpart(ctx, saleId, on) };
  }
  if (type !== 'store_credit' && type !== 'gift_card') return { type, reference };
  return { type, reference: cachedStoredValue(ctx.db, reference)?.maskedNumber ?? reference };
}

/** The receipt number of an exchange's other half: the sale names its return, the return its sale. */
function exchangeCounterpart(ctx: TxContext, saleId: string, on: 'sale' | 'return'): string | null {
  const row = sql(
    ctx.db,
    `SELECT s.receipt_number AS saleReceipt, x.receipt_number AS returnReceipt
     FROM sales s LEFT JOIN returns x ON x.tx_id = s.tx_id WHERE s.sale_id = ?`,
  ).get(saleId) as { saleReceipt: string | null; returnReceipt: string | null } | undefined;
  if (!row) return null;
  return on === 'sale' ? row.returnReceipt : row.saleReceipt;
}
