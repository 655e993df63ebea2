import { DomainError, assertNever, invalid } from '../errors';
import {
  allocate,
  assertSameCurrency,
  compare,
  max,
  min,
  money,
  subtract,
  sum,
  toDecimal,
  zero,
  type Money,
} from '../money';
import type { TenderType } from '../tenders/index';

/**
 * How money goes back to a customer. A gift card's share goes back onto that card (the hub books it against
 * the redemption it refunds), never onto an anonymous store credit slip the customer did not ask for.
 */
export const REFUND_TENDER_TYPES = ['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points'] as const;
export type RefundTenderType = (typeof REFUND_TENDER_TYPES)[number];

/** A tender of the original sale. */
export interface OriginalTender {
  readonly tenderId: string;
  readonly type: TenderType;
  /** What the tender paid towards the sale, net of change. */
  readonly amount: Money;
  /** Card terminal reference, store credit account, masked gift card or loyalty account. */
  readonly reference?: string;
  /** Points redeemed, on loyalty tenders. */
  readonly points?: number;
}

/** A refund already made against one original tender, whatever form it was paid out in. */
export interface PriorTenderRefund {
  /** The original tender the refund was charged against. */
  readonly tenderId: string;
  readonly amount: Money;
  /**
   * How it was paid out. Needed for card shares that went to cash while offline; when absent it is the
   * tender's natural refund type (cash → cash, card → card, gift card/store credit → store credit).
   */
  readonly type?: RefundTenderType;
  /** Points given back, for loyalty tenders; when absent, assumed to be the proportional share. */
  readonly points?: number;
}

export interface PlannedRefund {
  /** The original tender this refund is charged against: record it so later returns see it. */
  readonly sourceTenderId: string;
  readonly type: RefundTenderType;
  readonly amount: Money;
  /** The original card's terminal reference or store credit account, when the refund goes back there. */
  readonly reference?: string;
  readonly points?: number;
  /** Why the money goes this way, for the cashier and the receipt. */
  readonly reason: string;
}

export interface RefundPlan {
  readonly refunds: readonly PlannedRefund[];
  readonly total: Money;
  /** Money that would have gone back to a card but could not because the hub is offline. */
  readonly cardShareRedirected: Money;
}

export interface RefundPlanOptions {
  /** Card refunds go through the hub; offline, card shares are redirected. */
  readonly hubOnline: boolean;
}

function naturalRefundType(type: TenderType): RefundTenderType {
  switch (type) {
    case 'cash':
      return 'cash';
    case 'card':
      return 'card';
    case 'store_credit':
      return 'store_credit';
    case 'gift_card':
      return 'gift_card';
    case 'loyalty_points':
      return 'loyalty_points';
    default:
      return assertNever(type, 'tender type');
  }
}

/**
 * Splits a refund over the original tenders.
 *
 * 1. Each tender can take back at most what it paid minus what was already refunded against it; the
 *    refund is spread over the tenders in proportion to what each can still take (largest remainder,
 *    ties to the earlier tender). A partial return therefore refunds every tender its share, and once
 *    everything is refunded every tender got back exactly what it paid. A refund larger than what is left
 *    on the receipt is refused.
 * 2. Cash paid out over all refunds of a sale never exceeds the cash paid in (net of change). The cash
 *    tenders' shares are paid in cash first, while that room lasts; anything beyond it (because earlier
 *    offline refunds already paid a card share in cash) becomes store credit.
 * 3. Card shares go back to the card when the hub is online. Offline, each card share (in the original
 *    tender order) goes to cash while cash room remains after step 2, and the rest to store credit.
 * 4. Gift card and store credit shares go back onto the card or credit account they were paid from.
 *    Loyalty shares go back as points, in the same proportion as the money (rounded down until the last
 *    of that tender is refunded).
 */
export function planRefundTenders(
  refundTotal: Money,
  originalTenders: readonly OriginalTender[],
  alreadyRefundedByTender: readonly PriorTenderRefund[],
  options: RefundPlanOptions,
): RefundPlan {
  const total = money(refundTotal.amount, refundTotal.currency);
  const currency = total.currency;
  if (total.amount < 0)
    throw invalid('returns.refundAmountCannotNegative', {}, { refundTotal: total.amount });

  const byId = new Map<string, OriginalTender>();
  for (const tender of originalTenders) {
    if (byId.has(tender.tenderId)) {
      throw invalid(
        'returns.tenderAppearsTwiceOriginal',
        { tenderId: tender.tenderId },
        {
          tenderId: tender.tenderId,
        },
      );
    }
    assertSameCurrency(total, tender.amount);
    if (money(tender.amount.amount, currency).amount < 0) {
      throw invalid(
        'returns.tenderNegativeAmount',
        { tenderId: tender.tenderId },
        { tenderId: tender.tenderId },
      );
    }
    if (tender.type === 'loyalty_points' && !isPositiveCount(tender.points)) {
      throw invalid(
        'returns.loyaltyTenderNotSay',
        { tenderId: tender.tenderId },
        {
          tenderId: tender.tenderId,
        },
      );
    }
    byId.set(tender.tenderId, tender);
  }

  const refundedById = new Map<string, Money>();
  const pointsById = new Map<string, { points: number; complete: boolean }>();
  let cashPaidOut = zero(currency);
  for (const prior of alreadyRefundedByTender) {
    const tender = byId.get(prior.tenderId);
    if (!tender) {
      throw new DomainError(
        'CONFLICT',
        'returns.earlierRefundChargedTender',
        { tenderId: prior.tenderId },
        { tenderId: prior.tenderId },
      );
    }
    assertSameCurrency(total, prior.amount);
    const amount = money(prior.amount.amount, currency);
    if (amount.amount < 0)
      throw invalid('returns.earlierRefundNegativeAmount', {}, { tenderId: prior.tenderId });
    refundedById.set(
      prior.tenderId,
      sum([refundedById.get(prior.tenderId) ?? zero(currency), amount], currency),
    );
    if ((prior.type ?? naturalRefundType(tender.type)) === 'cash')
      cashPaidOut = sum([cashPaidOut, amount], currency);
    const points = pointsById.get(prior.tenderId) ?? { points: 0, complete: true };
    pointsById.set(prior.tenderId, {
      points: points.points + (prior.points ?? 0),
      complete: points.complete && prior.points !== undefined,
    });
  }

  const capacities = originalTenders.map((tender) =>
    max(zero(currency), subtract(tender.amount, refundedById.get(tender.tenderId) ?? zero(currency))),
  );
  const refundable = sum(capacities, currency);
  if (compare(total, refundable) > 0) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'returns.refundMoreStillRefundable',
      { total: toDecimal(total), refundable: toDecimal(refundable) },
      { refundTotal: total.amount, refundable: refundable.amount },
    );
  }
  if (total.amount === 0) return { refunds: [], total, cardShareRedirected: zero(currency) };

  const shares = allocate(
    total,
    capacities.map((capacity) => capacity.amount),
  );
  const cashPaidIn = sum(
    originalTenders.filter((tender) => tender.type === 'cash').map((tender) => tender.amount),
    currency,
  );
  let cashRoom = max(zero(currency), subtract(cashPaidIn, cashPaidOut));
  const takeCash = (wanted: Money): Money => {
    const taken = min(wanted, cashRoom);
    cashRoom = subtract(cashRoom, taken);
    return taken;
  };

  const refunds: PlannedRefund[] = [];
  const push = (refund: PlannedRefund) => {
    if (refund.amount.amount > 0) refunds.push(refund);
  };

  // Cash tenders first, so their own shares claim the cash room before any offline card share does.
  originalTenders.forEach((tender, index) => {
    const share = shares[index] ?? zero(currency);
    if (tender.type !== 'cash' || share.amount === 0) return;
    const inCash = takeCash(share);
    push({
      sourceTenderId: tender.tenderId,
      type: 'cash',
      amount: inCash,
      reason: 'Paid in cash, refunded in cash.',
    });
    push({
      sourceTenderId: tender.tenderId,
      type: 'store_credit',
      amount: subtract(share, inCash),
      reason:
        'The cash paid on this sale was already given back in an earlier refund, so the rest is store credit.',
    });
  });

  let cardShareRedirected = zero(currency);
  originalTenders.forEach((tender, index) => {
    const share = shares[index] ?? zero(currency);
    if (tender.type === 'cash' || share.amount === 0) return;
    switch (tender.type) {
      case 'card': {
        if (options.hubOnline) {
          push({
            sourceTenderId: tender.tenderId,
            type: 'card',
            amount: share,
            ...(tender.reference === undefined ? {} : { reference: tender.reference }),
            reason: 'Refunded to the card used on the original sale.',
          });
          return;
        }
        cardShareRedirected = sum([cardShareRedirected, share], currency);
        const inCash = takeCash(share);
        push({
          sourceTenderId: tender.tenderId,
          type: 'cash',
          amount: inCash,
          reason:
            'Card refunds need the hub, which is offline, so the card share is refunded in cash up to the cash paid.',
        });
        push({
          sourceTenderId: tender.tenderId,
          type: 'store_credit',
          amount: subtract(share, inCash),
          reason:
            'Card refunds need the hub, which is offline, and the cash paid is used up, so the rest is store credit.',
        });
        return;
      }
      case 'store_credit':
        push({
          sourceTenderId: tender.tenderId,
          type: 'store_credit',
          amount: share,
          ...(tender.reference === undefined ? {} : { reference: tender.reference }),
          reason: 'Paid with store credit, refunded as store credit.',
        });
        return;
      case 'gift_card':
        push({
          sourceTenderId: tender.tenderId,
          type: 'gift_card',
          amount: share,
          ...(tender.reference === undefined ? {} : { reference: tender.reference }),
          reason: 'Paid with a gift card, refunded onto the same card.',
        });
        return;
      case 'loyalty_points': {
        const redeemed = tender.points ?? 0;
        const before = subtract(tender.amount, capacities[index] ?? zero(currency));
        const prior = pointsById.get(tender.tenderId);
        const pointsBefore =
          prior && prior.complete ? prior.points : proportionalPoints(redeemed, before, tender.amount);
        const pointsAfter = proportionalPoints(redeemed, sum([before, share], currency), tender.amount);
        push({
          sourceTenderId: tender.tenderId,
          type: 'loyalty_points',
          amount: share,
          points: Math.max(0, pointsAfter - pointsBefore),
          ...(tender.reference === undefined ? {} : { reference: tender.reference }),
          reason: 'Paid with points, refunded as points in the same proportion.',
        });
        return;
      }
      default:
        assertNever(tender.type, 'tender type');
    }
  });

  return { refunds, total, cardShareRedirected };
}

function isPositiveCount(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

/** floor(points × refunded / paid); exactly `points` once the tender is fully refunded. */
function proportionalPoints(points: number, refunded: Money, paid: Money): number {
  // A fully refunded tender (including one that paid nothing) gives back every point.
  if (compare(refunded, paid) >= 0) return points;
  return Number((BigInt(points) * BigInt(refunded.amount)) / BigInt(paid.amount));
}
