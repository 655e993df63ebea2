import { DomainError, invalid } from '../errors';
import { divideRounded, formatMoney, money, type Money } from '../money';
import { allocateInOrder, consumableLots, projectLoyaltyLedger, type LotView } from './ledger';
import { loyaltyEntryIds, type LotAllocation, type LoyaltyEntry } from './loyalty-entry';
import { daysToMs, expiryFor, pointsForAmount, type LoyaltyProgramme, type LoyaltyTier } from './programme';
import { assertTime, formatPoints, negatePoints, originFields, type EntryOrigin } from './schema-parts';

export interface SaleRef extends EntryOrigin {
  readonly accountId: string;
  readonly saleId: string;
}

/**
 * Points earned on a sale, as the EARN_PENDING entry to append (none when the sale earns nothing).
 * `paidAmountEligible` is what the customer paid on lines that earn, after discounts; whether the part paid
 * with points or gift cards earns is the caller's policy. The points are pending for the return window
 * and expire `pointsExpiryDays` after the sale. Offline tills make the same entry: its id comes from the
 * sale id, so the till's and the hub's copy are one entry.
 */
export function earnForSale(
  paidAmountEligible: Money,
  tier: LoyaltyTier,
  programme: LoyaltyProgramme,
  at: number,
  sale: SaleRef,
): LoyaltyEntry[] {
  assertTime(at);
  const points = pointsForAmount(paidAmountEligible, tier, programme);
  if (points === 0) return [];
  const availableAt = at + daysToMs(programme.returnWindowDays);
  const expiresAt = expiryFor(programme, at);
  return [
    {
      entryId: loyaltyEntryIds.earn(sale.saleId),
      accountId: sale.accountId,
      type: 'EARN_PENDING',
      points,
      occurredAt: at,
      sourceDoc: sale.saleId,
      ...originFields(sale),
      availableAt,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      value: money(paidAmountEligible.amount, paidAmountEligible.currency),
    },
  ];
}

export interface ReturnReversalRequest extends EntryOrigin {
  readonly accountId: string;
  readonly returnId: string;
  /** The original sale; its EARN_PENDING entry is the lot reversed. */
  readonly saleId: string;
  /** The part of the sale's earning amount this return refunds. */
  readonly refundedValue: Money;
}

export interface ReversalDecision {
  readonly entries: LoyaltyEntry[];
  /** Points this return takes back, in total. */
  readonly pointsReversed: number;
  /** Of those, what no lot could cover and an overdraft records. */
  readonly uncoveredPoints: number;
}

function proportionalPoints(points: number, part: bigint, whole: bigint): number {
  // A whole fully returned (including one that earned on nothing) gives back every point.
  if (part >= whole) return points;
  return Number(divideRounded(BigInt(points) * part, whole, 'DOWN'));
}

/**
 * Takes back the points a sale earned, in proportion to the value a return refunds: after each return
 * the total reversed is floor(earned × refunded so far / earning amount), so partial returns round in the
 * member's favour and the last one reverses exactly the rest. The refunded values are kept on the entries,
 * so the hub needs only the ledger and the return.
 *
 * Points come from the sale's own lot while it has any (pending or usable), then from other usable points
 * soonest-expiring first; what nothing covers is an OFFLINE_OVERDRAFT the member's later points settle. A
 * return is a fact the hub cannot refuse, so it never fails for lack of points.
 */
export function reversalForReturn(
  entries: readonly LoyaltyEntry[],
  request: ReturnReversalRequest,
  programme: LoyaltyProgramme,
  at: number,
): ReversalDecision {
  assertTime(at);
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const lotId = loyaltyEntryIds.earn(request.saleId);
  const entryId = loyaltyEntryIds.reversal(request.returnId, lotId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) {
    const overdraft = view.entries.get(loyaltyEntryIds.overdraft(entryId));
    return {
      entries: [],
      pointsReversed: negatePoints(recorded.points + (overdraft?.points ?? 0)),
      uncoveredPoints: negatePoints(overdraft?.points ?? 0),
    };
  }
  const lot = view.lots.get(lotId);
  if (lot === undefined || lot.value === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'loyalty.saleEarnedNoPoints',
      { saleId: request.saleId },
      { saleId: request.saleId, accountId: request.accountId },
    );
  }
  const refunded = money(request.refundedValue.amount, request.refundedValue.currency);
  if (refunded.currency !== lot.value.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.saleEarnedPointsRefund', {
      saleId: request.saleId,
      currency: lot.value.currency,
      currency2: refunded.currency,
    });
  }
  if (refunded.amount < 0)
    throw invalid('loyalty.refundedValueCannotNegative', {}, { refunded: refunded.amount });
  const prior = view.reversals.get(lotId);
  const priorValue = BigInt(prior?.refundedValue?.amount ?? 0);
  const cumulative = priorValue + BigInt(refunded.amount);
  const earningValue = BigInt(lot.value.amount);
  if (cumulative > earningValue) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'loyalty.refundMoreLeftEarned',
      {
        refunded: formatMoney(refunded),
        lotValue: formatMoney(lot.value),
        saleId: request.saleId,
        priorValue: formatMoney(money(Number(priorValue), refunded.currency)),
      },
      { saleId: request.saleId },
    );
  }
  const reversedBefore = prior?.points ?? 0;
  const pointsToReverse = proportionalPoints(lot.points, cumulative, earningValue) - reversedBefore;

  const allocations: LotAllocation[] = [];
  const ownLot =
    lot.status === 'pending' || lot.status === 'available' ? Math.min(pointsToReverse, lot.remaining) : 0;
  if (ownLot > 0) allocations.push({ lotId, points: ownLot });
  const rest = pointsToReverse - ownLot;
  // Other lots cover the rest only down to a zero balance: what an overdraft already owes stays owed.
  const availableAfterOwn = view.balances.available - (lot.status === 'available' ? ownLot : 0);
  const fromOthers = Math.min(rest, Math.max(0, availableAfterOwn));
  const others: LotView[] = consumableLots(view, new Set([lotId]));
  allocations.push(...allocateInOrder(others, fromOthers));
  const covered = ownLot + fromOthers;
  const uncovered = pointsToReverse - covered;

  const reversal: LoyaltyEntry = {
    entryId,
    accountId: request.accountId,
    type: 'EARN_REVERSAL',
    points: negatePoints(covered),
    occurredAt: at,
    sourceDoc: request.returnId,
    ...originFields(request),
    lotId,
    allocations,
    value: refunded,
    reason: `Return ${request.returnId} refunded ${formatMoney(refunded)} of sale ${request.saleId}.`,
  };
  const decided: LoyaltyEntry[] = [reversal];
  if (uncovered > 0) {
    const expiresAt = expiryFor(programme, at);
    decided.push({
      entryId: loyaltyEntryIds.overdraft(entryId),
      accountId: request.accountId,
      type: 'OFFLINE_OVERDRAFT',
      points: -uncovered,
      occurredAt: at,
      sourceDoc: request.returnId,
      ...originFields(request),
      availableAt: at,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      causedBy: entryId,
      reason: `${formatPoints(uncovered)} points of sale ${request.saleId} were already used when it was returned; later points settle them.`,
    });
  }
  return { entries: decided, pointsReversed: pointsToReverse, uncoveredPoints: uncovered };
}
