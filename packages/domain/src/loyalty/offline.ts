import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import { money, type Money } from '../money';
import { allocateInOrder, consumableLots, projectLoyaltyLedger, type LoyaltySnapshot } from './ledger';
import { loyaltyEntryIds, type LoyaltyEntry } from './loyalty-entry';
import {
  assertWithinAllowance,
  offlineAllowance,
  type OfflineAllowance,
  type QuantityOps,
} from './offline-limits';
import { expiryFor, type LoyaltyProgramme } from './programme';
import {
  assertTime,
  entityIdSchema,
  epochMsSchema,
  formatPoints,
  moneySchema,
  negatePoints,
  originFields,
  type EntryOrigin,
} from './schema-parts';

/** A redemption a till made without the hub, as the till keeps it until the hub has applied it. */
export const OfflineRedemptionSchema = z.object({
  /** The till's id for it (e.g. the sale's points tender id); the hub's entries derive from it. */
  redemptionId: entityIdSchema,
  accountId: entityIdSchema,
  points: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** What the points paid on the sale. */
  value: moneySchema,
  occurredAt: epochMsSchema,
  sourceDoc: entityIdSchema.optional(),
  originNode: entityIdSchema.optional(),
  deviceId: entityIdSchema.optional(),
});
export type OfflineRedemption = z.infer<typeof OfflineRedemptionSchema>;

const pointOps: QuantityOps<number> = {
  zero: 0,
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  compare: (a, b) => a - b,
  format: (points) => `${formatPoints(points)} point${points === 1 ? '' : 's'}`,
  balanceLabel: 'Points balance',
};

export type PointsOfflineAllowance = OfflineAllowance<number>;

/**
 * How many points a till may let this customer spend while it cannot reach the hub.
 * `deviceOfflineRedemptions` are this device's own offline redemptions (any account) that the hub may not
 * have applied yet; those for this account made at or after `snapshot.takenAt` are deducted from the
 * snapshot balance, and all of them made in the last 24 hours count against the device cap. Pending points
 * are not in `available`, so they never count.
 */
export function offlineRedemptionAllowance(
  snapshot: Pick<LoyaltySnapshot, 'accountId' | 'available' | 'takenAt'>,
  deviceOfflineRedemptions: readonly Pick<OfflineRedemption, 'accountId' | 'points' | 'occurredAt'>[],
  programme: LoyaltyProgramme,
  at: number,
): PointsOfflineAllowance {
  assertTime(at);
  return offlineAllowance(pointOps, {
    accountId: snapshot.accountId,
    snapshotAvailable: snapshot.available,
    snapshotTakenAt: snapshot.takenAt,
    deviceUses: deviceOfflineRedemptions.map((redemption) => ({
      accountId: redemption.accountId,
      amount: redemption.points,
      occurredAt: redemption.occurredAt,
    })),
    maxSnapshotAgeMs: programme.offline.maxSnapshotAgeMs,
    perTransactionCap: programme.offline.perTransactionCapPoints,
    perDeviceDayCap: programme.offline.perDeviceDayCapPoints,
    at,
  });
}

/** OFFLINE_LIMIT with the till's sentence when `points` exceed the allowance. */
export function assertOfflineRedemptionAllowed(points: number, allowance: PointsOfflineAllowance): void {
  if (!Number.isSafeInteger(points) || points <= 0) {
    throw invalid('tenders.pointsRedeemMustPositive', {}, { points });
  }
  assertWithinAllowance(pointOps, points, allowance);
}

export interface OfflineRedemptionDecision {
  readonly entries: LoyaltyEntry[];
  /** Points taken from the account's available points. */
  readonly coveredPoints: number;
  /** Points nothing covered: the account's new debt, recorded by one OFFLINE_OVERDRAFT. */
  readonly overdraftPoints: number;
}

/**
 * Applies at the hub a redemption a till made offline. The goods have left, so it is never refused: the
 * available points cover what they can (soonest-expiring first, never pending or expired points) and the
 * rest becomes exactly one OFFLINE_OVERDRAFT, a debt lot that the member's later points net off (the
 * balance counts it at once; a lot reaching expiry pays it before expiring). Applying the same redemption
 * again returns no entries, so it can never create a second overdraft.
 */
export function applyOfflineRedemption(
  entries: readonly LoyaltyEntry[],
  redemption: OfflineRedemption,
  programme: LoyaltyProgramme,
  at: number,
): OfflineRedemptionDecision {
  assertTime(at);
  if (!Number.isSafeInteger(redemption.points) || redemption.points <= 0) {
    throw invalid('loyalty.pointsRedeemedOfflineMust', {}, { points: redemption.points });
  }
  const value: Money = money(redemption.value.amount, redemption.value.currency);
  if (value.amount < 0) throw invalid('loyalty.valuePaidPointsCannot');
  const view = projectLoyaltyLedger(entries, at, redemption.accountId);
  const captureId = loyaltyEntryIds.capture(redemption.redemptionId);
  const overdraftId = loyaltyEntryIds.overdraft(captureId);
  const recorded = view.entries.get(captureId);
  if (recorded !== undefined) {
    const overdraft = view.entries.get(overdraftId);
    return {
      entries: [],
      coveredPoints: negatePoints(recorded.points),
      overdraftPoints: negatePoints(overdraft?.points ?? 0),
    };
  }
  if (view.holds.has(redemption.redemptionId)) {
    throw new DomainError(
      'CONFLICT',
      'loyalty.redemptionOnlineHoldCapture',
      { redemptionId: redemption.redemptionId },
      { redemptionId: redemption.redemptionId },
    );
  }
  const covered = Math.min(redemption.points, Math.max(0, view.balances.available));
  const shortfall = redemption.points - covered;
  const origin: EntryOrigin = redemption;
  const capture: LoyaltyEntry = {
    entryId: captureId,
    accountId: redemption.accountId,
    type: 'REDEEM_CAPTURE',
    points: negatePoints(covered),
    occurredAt: redemption.occurredAt,
    ...(redemption.sourceDoc === undefined ? {} : { sourceDoc: redemption.sourceDoc }),
    ...originFields(origin),
    holdId: redemption.redemptionId,
    allocations: allocateInOrder(consumableLots(view), covered),
    value,
    reason: 'Redeemed at a till without a hub connection.',
  };
  const decided: LoyaltyEntry[] = [capture];
  if (shortfall > 0) {
    const expiresAt = expiryFor(programme, at);
    decided.push({
      entryId: overdraftId,
      accountId: redemption.accountId,
      type: 'OFFLINE_OVERDRAFT',
      points: -shortfall,
      occurredAt: at,
      ...(redemption.sourceDoc === undefined ? {} : { sourceDoc: redemption.sourceDoc }),
      ...originFields(origin),
      holdId: redemption.redemptionId,
      availableAt: at,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      causedBy: captureId,
      reason: `${formatPoints(shortfall)} points redeemed offline were not in the balance; later points settle them.`,
    });
  }
  return { entries: decided, coveredPoints: covered, overdraftPoints: shortfall };
}
