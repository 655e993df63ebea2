import { DomainError, invalid } from '../errors';
import { assertSameCurrency, extend, money, toDecimal, type Money, type Unit } from '../money';
import type { RefundTenderType } from './refund-tenders';

/**
 * A return without a receipt is refunded only as store credit (the caller enforces it, with a manager
 * override): cash or card would make receipt-less returns a way to turn stolen goods into money.
 */
export const NO_RECEIPT_REFUND_TENDER = 'store_credit' as const satisfies RefundTenderType;

const MS_PER_DAY = 86_400_000;

/** A price the item sold at over a period: a price book entry or promotion price in effect [from, to). */
export interface PriceObservation {
  readonly unitPrice: Money;
  /** Epoch ms the price took effect. */
  readonly from: number;
  /** Epoch ms it stopped (exclusive); absent while it is still the price. */
  readonly to?: number;
  /** Where the price came from (price book, promotion): shown in the reason. */
  readonly source: string;
}

export interface NoReceiptRefundOptions {
  /** Epoch ms of the return. */
  readonly at: number;
  /** How far back to look for the lowest price, in days. */
  readonly windowDays: number;
  /** Quantity returned in the SKU's counting unit (grams for kg SKUs); 1 by default. */
  readonly qty?: number;
  readonly unit?: Unit;
}

export interface NoReceiptRefund {
  readonly unitPrice: Money;
  readonly qty: number;
  readonly unit: Unit;
  /** unitPrice × qty, rounded down for weighed items. */
  readonly refund: Money;
  readonly tender: typeof NO_RECEIPT_REFUND_TENDER;
  readonly source: string;
  /** Epoch ms where the window started. */
  readonly windowStart: number;
  readonly reason: string;
}

/**
 * The refund for a return without a receipt: the lowest price the item had at any time in the last
 * `windowDays` days up to `at` (inclusive of prices that started earlier and were still in effect). The
 * current price must be among the observations, so the refund never exceeds it. Ties go to the most
 * recent price, then to the source name, so the result does not depend on the order of observations.
 */
export function noReceiptRefund(
  observations: readonly PriceObservation[],
  options: NoReceiptRefundOptions,
): NoReceiptRefund {
  const { at, windowDays } = options;
  const qty = options.qty ?? 1;
  const unit = options.unit ?? 'each';
  if (!Number.isSafeInteger(at)) throw invalid('returns.returnTimeMustWhole', {}, { at });
  if (!Number.isSafeInteger(windowDays) || windowDays <= 0 || windowDays > 3_650) {
    throw invalid('returns.noReceiptPriceWindow', {}, { windowDays });
  }
  if (!Number.isSafeInteger(qty) || qty <= 0) {
    throw invalid(
      'returns.quantityReturnMustPositive',
      {},
      {
        qty,
      },
    );
  }
  const windowStart = at - windowDays * MS_PER_DAY;

  let lowest: PriceObservation | undefined;
  for (const observation of observations) {
    const unitPrice = money(observation.unitPrice.amount, observation.unitPrice.currency);
    if (unitPrice.amount < 0) throw invalid('returns.priceNegative', { source: observation.source });
    if (observation.to !== undefined && observation.to <= observation.from) {
      throw invalid('returns.priceEndsBeforeStarts', { source: observation.source });
    }
    const first = observations[0];
    if (first) assertSameCurrency(first.unitPrice, unitPrice);
    const inWindow = observation.from <= at && (observation.to === undefined || observation.to > windowStart);
    if (!inWindow) continue;
    if (!lowest || isBetter(observation, lowest)) lowest = observation;
  }
  if (!lowest) {
    throw new DomainError('NO_PRICE', 'returns.itemNoPriceLast', { windowDays }, { windowDays });
  }

  const refund = extend(lowest.unitPrice, qty, unit, 'DOWN');
  const quantity = unit === 'each' ? `${qty} ×` : `${qty} g at`;
  return {
    unitPrice: lowest.unitPrice,
    qty,
    unit,
    refund,
    tender: NO_RECEIPT_REFUND_TENDER,
    source: lowest.source,
    windowStart,
    reason:
      `No receipt: refunding ${quantity} ${toDecimal(lowest.unitPrice)}${unit === 'kg' ? '/kg' : ''}, the lowest price ` +
      `in the last ${windowDays} days (${lowest.source}), as store credit only.`,
  };
}

function isBetter(candidate: PriceObservation, best: PriceObservation): boolean {
  if (candidate.unitPrice.amount !== best.unitPrice.amount)
    return candidate.unitPrice.amount < best.unitPrice.amount;
  if (candidate.from !== best.from) return candidate.from > best.from;
  return candidate.source < best.source;
}
