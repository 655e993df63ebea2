import { DomainError, invalid } from '../errors';
import {
  assertSameCurrency,
  clamp,
  money,
  multiplyRatio,
  subtract,
  sum,
  zero,
  type Money,
  type Unit,
} from '../money';

/** A line of the original sale, as recorded on it. */
export interface ReturnableLine {
  readonly lineId: string;
  readonly sku: string;
  /** Quantity sold in the SKU's counting unit: pieces, or grams for `kg` SKUs. */
  readonly qty: number;
  readonly unit?: Unit;
  /** What the customer actually paid for the line, tax included, after every discount. */
  readonly paid: Money;
  /** The line's tax rows, so a refund can report the tax it gives back per rate. */
  readonly taxes?: readonly { readonly rateId: string; readonly amount: Money }[];
}

/** A line of an earlier return against the same sale. */
export interface PriorReturnLine {
  readonly originalLineId: string;
  readonly qty: number;
  readonly refund: Money;
}

export interface ReturnRequestLine {
  readonly lineId: string;
  readonly qty: number;
}

export interface LineRefund {
  readonly lineId: string;
  readonly sku: string;
  readonly unit: Unit;
  readonly qty: number;
  readonly refund: Money;
  /** Tax included in `refund`, per rate of the original line. */
  readonly taxes: readonly { readonly rateId: string; readonly amount: Money }[];
  /** What can still be returned of this line after this return. */
  readonly returnableAfter: number;
}

export interface LinesRefund {
  readonly lines: readonly LineRefund[];
  readonly total: Money;
}

interface LineState {
  readonly line: ReturnableLine;
  returnedQty: number;
  refunded: Money;
}

function formatQty(qty: number, unit: Unit): string {
  if (unit === 'each') return String(qty);
  const grams = Math.abs(qty) % 1_000;
  const kilos = (Math.abs(qty) - grams) / 1_000;
  return `${qty < 0 ? '-' : ''}${kilos}.${String(grams).padStart(3, '0')} kg`;
}

function assertQty(qty: number, what: string, details: Record<string, unknown>): void {
  if (!Number.isSafeInteger(qty) || qty <= 0) {
    throw invalid('returns.mustPositiveWholeNumber', { what }, details);
  }
}

/**
 * The refund for each requested line, proportional to what was actually paid for it.
 *
 * The refund for a return is the cumulative share of `paid` after it (paid × returned-after / sold,
 * rounded down) minus what earlier returns already refunded for the line. Over any sequence of returns
 * the refunds therefore add up to exactly `paid` once every unit is back: early partial returns get the
 * rounded-down share and the last units get the remainder (10.00 for 3 → 3.33, 3.33, 3.34). Clamped to
 * what is left of `paid`, so inconsistent history can never push a line past what it paid.
 *
 * Request lines are processed in order; the same line may appear twice (two scans), and the second one
 * counts the first as already returned.
 */
export function refundForLines(
  originalLines: readonly ReturnableLine[],
  alreadyReturned: readonly PriorReturnLine[],
  request: readonly ReturnRequestLine[],
): LinesRefund {
  if (request.length === 0) throw invalid('returns.chooseLeastItemReturn');
  const states = new Map<string, LineState>();
  let currency: string | undefined;
  for (const line of originalLines) {
    if (states.has(line.lineId)) {
      throw invalid('returns.lineAppearsTwiceOriginal', { lineId: line.lineId }, { lineId: line.lineId });
    }
    assertQty(line.qty, `The sold quantity of SKU ${line.sku}`, { lineId: line.lineId });
    const paid = money(line.paid.amount, line.paid.currency);
    if (paid.amount < 0)
      throw invalid('returns.lineNegativePaidAmount', { lineId: line.lineId }, { lineId: line.lineId });
    currency ??= paid.currency;
    assertSameCurrency(money(0, currency), paid);
    for (const tax of line.taxes ?? []) assertSameCurrency(paid, tax.amount);
    states.set(line.lineId, { line, returnedQty: 0, refunded: zero(paid.currency) });
  }

  if (currency === undefined) throw new DomainError('NOT_FOUND', 'returns.receiptNoLinesReturn');
  const saleCurrency = currency;

  for (const prior of alreadyReturned) {
    const state = states.get(prior.originalLineId);
    if (!state) {
      throw new DomainError(
        'CONFLICT',
        'returns.earlierReturnRefersLine',
        { originalLineId: prior.originalLineId },
        { lineId: prior.originalLineId },
      );
    }
    assertQty(prior.qty, 'An earlier returned quantity', { lineId: prior.originalLineId });
    state.returnedQty += prior.qty;
    assertSameCurrency(state.refunded, prior.refund);
    state.refunded = sum([state.refunded, prior.refund], state.refunded.currency);
  }

  const refunds: LineRefund[] = [];
  for (const requested of request) {
    const state = states.get(requested.lineId);
    if (!state) {
      throw new DomainError(
        'NOT_FOUND',
        'returns.lineNotReceipt',
        { lineId: requested.lineId },
        {
          lineId: requested.lineId,
        },
      );
    }
    const { line } = state;
    const unit = line.unit ?? 'each';
    assertQty(requested.qty, `The quantity to return of SKU ${line.sku}`, { lineId: line.lineId });
    const returnable = Math.max(0, line.qty - state.returnedQty);
    if (requested.qty > returnable) {
      const history = `${formatQty(line.qty, unit)} sold, ${formatQty(state.returnedQty, unit)} already returned`;
      throw new DomainError(
        'RETURN_EXCEEDS_SOLD',
        returnable === 0 ? 'returns.everythingSkuReceiptAlready' : 'returns.canReturnMostSku',
        returnable === 0
          ? { sku: line.sku, history }
          : { returnable: formatQty(returnable, unit), sku: line.sku, history },
        {
          lineId: line.lineId,
          sku: line.sku,
          sold: line.qty,
          returned: state.returnedQty,
          requested: requested.qty,
        },
      );
    }
    const before = state.returnedQty;
    const after = before + requested.qty;
    const paid = money(line.paid.amount, line.paid.currency);
    const target = multiplyRatio(paid, after, line.qty, 'DOWN');
    const refund = clamp(subtract(target, state.refunded), subtract(paid, state.refunded));
    const taxes = (line.taxes ?? []).map((tax) => ({
      rateId: tax.rateId,
      amount: subtract(
        multiplyRatio(tax.amount, after, line.qty, 'DOWN'),
        multiplyRatio(tax.amount, before, line.qty, 'DOWN'),
      ),
    }));
    state.returnedQty = after;
    state.refunded = sum([state.refunded, refund], paid.currency);
    refunds.push({
      lineId: line.lineId,
      sku: line.sku,
      unit,
      qty: requested.qty,
      refund,
      taxes,
      returnableAfter: line.qty - after,
    });
  }

  return {
    lines: refunds,
    total: sum(
      refunds.map((line) => line.refund),
      saleCurrency,
    ),
  };
}
