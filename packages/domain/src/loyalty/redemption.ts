import { DomainError, invalid } from '../errors';
import { divideRounded, formatMoney, money, type Money } from '../money';
import {
  allocateInOrder,
  consumableLots,
  projectLoyaltyLedger,
  restoreTaken,
  type HoldView,
  type LedgerView,
} from './ledger';
import { loyaltyEntryIds, type LoyaltyEntry } from './loyalty-entry';
import { expiryFor, type LoyaltyProgramme } from './programme';
import { assertTime, formatPoints, originFields, type EntryOrigin } from './schema-parts';

/**
 * Online redemption is two-phase: the till asks the hub for a hold (points leave `available` for `held`),
 * captures it when the sale completes, or releases it on void or timeout. Each function returns the
 * entries to append; asking again for something already done returns no entries (idempotent), asking for
 * something contradictory is a CONFLICT.
 */

function assertPoints(points: number, what: string): void {
  if (!Number.isSafeInteger(points) || points <= 0) {
    throw invalid('loyalty.mustPositiveWholeNumber', { what }, { points });
  }
}

function assertValue(value: Money, what: string): Money {
  const checked = money(value.amount, value.currency);
  if (checked.amount < 0) throw invalid('loyalty.cannotNegative', { what }, { amount: checked.amount });
  return checked;
}

function insufficient(view: LedgerView, points: number, action: string): DomainError {
  const { available, pending, held } = view.balances;
  return new DomainError(
    'INSUFFICIENT_BALANCE',
    'loyalty.insufficientPoints',
    {
      available: formatPoints(Math.max(0, available)),
      requested: formatPoints(points),
      action,
      pending: pending > 0 ? formatPoints(pending) : 'none',
      held: held > 0 ? formatPoints(held) : 'none',
    },
    { available, pending, held, requested: points },
  );
}

export interface HoldRequest extends EntryOrigin {
  readonly accountId: string;
  readonly holdId: string;
  readonly points: number;
  /** The sale in progress. */
  readonly sourceDoc?: string;
}

export interface HoldDecision {
  readonly entries: LoyaltyEntry[];
  readonly holdId: string;
  readonly points: number;
  /** When the hub releases the hold if the sale has not captured it. */
  readonly expiresAt: number;
}

/**
 * Holds `points` of the account's available points for a sale, soonest-expiring first. Pending points
 * never count. Refused with INSUFFICIENT_BALANCE when fewer are available: online the balance never goes
 * below zero.
 */
export function placeHold(
  entries: readonly LoyaltyEntry[],
  request: HoldRequest,
  programme: LoyaltyProgramme,
  at: number,
): HoldDecision {
  assertTime(at);
  assertPoints(request.points, 'Points to hold');
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const existing = view.holds.get(request.holdId);
  if (existing !== undefined) {
    if (existing.points !== request.points) {
      throw new DomainError(
        'CONFLICT',
        'loyalty.holdAlreadyExistsPoints',
        { holdId: request.holdId, points: formatPoints(existing.points) },
        { holdId: request.holdId },
      );
    }
    return {
      entries: [],
      holdId: request.holdId,
      points: existing.points,
      expiresAt: existing.entry.expiresAt ?? at,
    };
  }
  if (view.redemptions.has(request.holdId)) {
    throw new DomainError(
      'CONFLICT',
      'loyalty.idAlreadyUsedOffline',
      { holdId: request.holdId },
      {
        holdId: request.holdId,
      },
    );
  }
  if (view.balances.available < request.points) throw insufficient(view, request.points, 'held');
  const expiresAt = at + programme.holdTtlMs;
  return {
    entries: [
      {
        entryId: loyaltyEntryIds.hold(request.holdId),
        accountId: request.accountId,
        type: 'REDEEM_HOLD',
        points: -request.points,
        occurredAt: at,
        ...(request.sourceDoc === undefined ? {} : { sourceDoc: request.sourceDoc }),
        ...originFields(request),
        holdId: request.holdId,
        expiresAt,
        allocations: allocateInOrder(consumableLots(view), request.points),
      },
    ],
    holdId: request.holdId,
    points: request.points,
    expiresAt,
  };
}

function requireHold(view: LedgerView, holdId: string): HoldView {
  const hold = view.holds.get(holdId);
  if (hold === undefined) {
    throw new DomainError('NOT_FOUND', 'loyalty.noPointsHoldAccount', { holdId }, { holdId });
  }
  return hold;
}

export interface CaptureRequest extends EntryOrigin {
  readonly accountId: string;
  readonly holdId: string;
  /** Points the sale used; at most what was held (default: all of it). The rest is released. */
  readonly points?: number;
  /** What the points paid on the sale, so a return can refund them in proportion. */
  readonly value: Money;
  readonly sourceDoc?: string;
}

/**
 * Spends an open hold with the completed sale. Capturing fewer points than held releases the rest in the
 * same decision. A hold that was released (timed out or voided) cannot be captured: the hub applies such
 * a sale's points with applyOfflineRedemption instead, under the sale's own redemption id.
 */
export function captureHold(
  entries: readonly LoyaltyEntry[],
  request: CaptureRequest,
  at: number,
): LoyaltyEntry[] {
  assertTime(at);
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const hold = requireHold(view, request.holdId);
  const points = request.points ?? hold.points;
  assertPoints(points, 'Points to capture');
  const value = assertValue(request.value, 'The value paid with points');
  if (hold.status === 'captured') {
    if (hold.captured === points) return [];
    throw new DomainError(
      'CONFLICT',
      'loyalty.holdAlreadyCapturedPoints',
      { holdId: request.holdId, captured: formatPoints(hold.captured), points: formatPoints(points) },
      { holdId: request.holdId },
    );
  }
  if (hold.status === 'released') {
    throw new DomainError(
      'CONFLICT',
      'loyalty.pointsHoldReleasedBefore',
      { holdId: request.holdId },
      { holdId: request.holdId },
    );
  }
  if (points > hold.points) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'loyalty.saleUsedPointsOnly',
      { points: formatPoints(points), points2: formatPoints(hold.points) },
      { holdId: request.holdId, held: hold.points, points },
    );
  }
  const origin = originFields(request);
  const sourceDoc = request.sourceDoc ?? hold.entry.sourceDoc;
  const decided: LoyaltyEntry[] = [
    {
      entryId: loyaltyEntryIds.capture(request.holdId),
      accountId: request.accountId,
      type: 'REDEEM_CAPTURE',
      points: -points,
      occurredAt: at,
      ...(sourceDoc === undefined ? {} : { sourceDoc }),
      ...origin,
      holdId: request.holdId,
      value,
    },
  ];
  const rest = hold.points - points;
  if (rest > 0) {
    const taken = view.redemptions.get(request.holdId)?.taken ?? new Map<string, number>();
    decided.push({
      entryId: loyaltyEntryIds.release(request.holdId),
      accountId: request.accountId,
      type: 'REDEEM_RELEASE',
      points: rest,
      occurredAt: at,
      ...(sourceDoc === undefined ? {} : { sourceDoc }),
      ...origin,
      holdId: request.holdId,
      allocations: restoreTaken(view, taken, rest),
      reason: `The sale used ${formatPoints(points)} of the ${formatPoints(hold.points)} points held.`,
    });
  }
  return decided;
}

export interface ReleaseRequest extends EntryOrigin {
  readonly accountId: string;
  readonly holdId: string;
  readonly reason: string;
}

function releaseEntry(
  view: LedgerView,
  accountId: string,
  hold: HoldView,
  reason: string,
  at: number,
  origin: EntryOrigin,
): LoyaltyEntry {
  const taken = view.redemptions.get(hold.holdId)?.taken ?? new Map<string, number>();
  return {
    entryId: loyaltyEntryIds.release(hold.holdId),
    accountId,
    type: 'REDEEM_RELEASE',
    points: hold.points,
    occurredAt: at,
    ...(hold.entry.sourceDoc === undefined ? {} : { sourceDoc: hold.entry.sourceDoc }),
    ...originFields(origin),
    holdId: hold.holdId,
    allocations: restoreTaken(view, taken, hold.points),
    reason,
  };
}

/** Gives an open hold's points back (void, abandoned sale). Releasing twice is a no-op. */
export function releaseHold(
  entries: readonly LoyaltyEntry[],
  request: ReleaseRequest,
  at: number,
): LoyaltyEntry[] {
  assertTime(at);
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const hold = requireHold(view, request.holdId);
  if (hold.status === 'released') return [];
  if (hold.status === 'captured') {
    throw new DomainError(
      'CONFLICT',
      'loyalty.pointsHoldAlreadyUsed',
      { holdId: request.holdId },
      { holdId: request.holdId },
    );
  }
  const reason = request.reason.trim();
  if (reason === '') throw invalid('loyalty.sayWhyHoldReleased');
  return [releaseEntry(view, request.accountId, hold, reason.slice(0, 200), at, request)];
}

/** REDEEM_RELEASE entries for open holds whose time ran out by `at` (the hub's timeout job). */
export function releaseExpiredHolds(entries: readonly LoyaltyEntry[], at: number): LoyaltyEntry[] {
  assertTime(at);
  const view = projectLoyaltyLedger(entries, at);
  const accountId = view.accountId;
  if (accountId === undefined) return [];
  return [...view.holds.values()]
    .filter((hold) => hold.status === 'open' && (hold.entry.expiresAt ?? Number.POSITIVE_INFINITY) <= at)
    .sort((a, b) => (a.holdId < b.holdId ? -1 : 1))
    .map((hold) =>
      releaseEntry(view, accountId, hold, 'The hold timed out before the sale completed.', at, {}),
    );
}

export interface RedemptionRefundRequest extends EntryOrigin {
  readonly accountId: string;
  readonly returnId: string;
  /** The redemption: the hold id online, the till's redemption id offline. */
  readonly holdId: string;
  /** The money refunded against the points tender by this return (planRefundTenders' points share). */
  readonly refundedValue: Money;
}

export interface RedemptionRefundDecision {
  readonly entries: LoyaltyEntry[];
  readonly pointsRefunded: number;
}

/**
 * Gives back points a returned sale was paid with, in the same proportion as the money: after each
 * return the total given back is floor(redeemed × refunded so far / value the points paid), and all of
 * it once the points tender is fully refunded. This is the number planRefundTenders shows the cashier.
 * Points go back to the lots they came from (an overdraft's debt first), so they keep their expiry.
 */
export function redemptionRefundForReturn(
  entries: readonly LoyaltyEntry[],
  request: RedemptionRefundRequest,
  at: number,
): RedemptionRefundDecision {
  assertTime(at);
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const redemption = view.redemptions.get(request.holdId);
  if (redemption?.capture === undefined || redemption.value === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'loyalty.noPointsSpentUnder',
      { holdId: request.holdId },
      { holdId: request.holdId },
    );
  }
  const entryId = loyaltyEntryIds.redemptionRefund(request.returnId, request.holdId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) return { entries: [], pointsRefunded: recorded.points };
  const refunded = assertValue(request.refundedValue, 'A refunded value');
  if (refunded.currency !== redemption.value.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.pointsPaidRefund', {
      currency: redemption.value.currency,
      currency2: refunded.currency,
    });
  }
  const priorValue = BigInt(redemption.refundedValue?.amount ?? 0);
  const cumulative = priorValue + BigInt(refunded.amount);
  const paidValue = BigInt(redemption.value.amount);
  if (cumulative > paidValue) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'loyalty.refundMoreLeftPaid',
      {
        refunded: formatMoney(refunded),
        redemptionValue: formatMoney(redemption.value),
        priorValue: formatMoney(money(Number(priorValue), refunded.currency)),
      },
      { holdId: request.holdId },
    );
  }
  const target =
    cumulative >= paidValue
      ? redemption.points
      : Number(divideRounded(BigInt(redemption.points) * cumulative, paidValue, 'DOWN'));
  const points = target - redemption.refundedPoints;
  return {
    entries: [
      {
        entryId,
        accountId: request.accountId,
        type: 'REDEMPTION_REFUND',
        points,
        occurredAt: at,
        sourceDoc: request.returnId,
        ...originFields(request),
        holdId: request.holdId,
        allocations: restoreTaken(view, redemption.taken, points),
        value: refunded,
      },
    ],
    pointsRefunded: points,
  };
}

export interface AdjustmentRequest extends EntryOrigin {
  readonly accountId: string;
  readonly adjustmentId: string;
  /** > 0 credits a new lot usable at once; < 0 removes available points, soonest-expiring first. */
  readonly points: number;
  readonly reason: string;
  /** For credits: when they expire (default: the programme's expiry from now). */
  readonly expiresAt?: number;
}

/**
 * An HQ correction. Credits are a new lot usable at once; debits take available points only and are
 * refused with INSUFFICIENT_BALANCE beyond them (an online operation never makes the balance negative).
 */
export function adjustPoints(
  entries: readonly LoyaltyEntry[],
  request: AdjustmentRequest,
  programme: LoyaltyProgramme,
  at: number,
): LoyaltyEntry[] {
  assertTime(at);
  if (!Number.isSafeInteger(request.points) || request.points === 0) {
    throw invalid('loyalty.adjustmentMustAddRemove', {}, { points: request.points });
  }
  const reason = request.reason.trim();
  if (reason === '') throw invalid('loyalty.sayWhyPointsAdjusted');
  const view = projectLoyaltyLedger(entries, at, request.accountId);
  const entryId = loyaltyEntryIds.adjust(request.adjustmentId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) {
    if (recorded.points !== request.points) {
      throw new DomainError(
        'CONFLICT',
        'loyalty.adjustmentAlreadyMadePoints',
        { adjustmentId: request.adjustmentId, points: recorded.points },
        {
          adjustmentId: request.adjustmentId,
        },
      );
    }
    return [];
  }
  const base = {
    entryId,
    accountId: request.accountId,
    type: 'ADJUST' as const,
    points: request.points,
    occurredAt: at,
    sourceDoc: request.adjustmentId,
    ...originFields(request),
    reason: reason.slice(0, 200),
  };
  if (request.points > 0) {
    const expiresAt = request.expiresAt ?? expiryFor(programme, at);
    if (expiresAt !== undefined && (!Number.isSafeInteger(expiresAt) || expiresAt <= at)) {
      throw invalid('loyalty.creditedPointsMustExpire', {}, { expiresAt });
    }
    return [{ ...base, availableAt: at, ...(expiresAt === undefined ? {} : { expiresAt }) }];
  }
  const points = -request.points;
  if (view.balances.available < points) throw insufficient(view, points, 'removed');
  return [{ ...base, allocations: allocateInOrder(consumableLots(view), points) }];
}
