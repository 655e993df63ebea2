import { money, type Money } from '../money';
import { earnForSale } from './earn';
import type { LoyaltyEntry } from './loyalty-entry';
import { LoyaltyProgrammeSchema, type LoyaltyProgramme, type LoyaltyTier } from './programme';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2026-01-01T00:00:00.000Z */
export const T0 = 1_767_225_600_000;
export const ACCOUNT = 'acct-1';

export const eur = (amount: number): Money => money(amount, 'EUR');

export const programme: LoyaltyProgramme = LoyaltyProgrammeSchema.parse({
  programmeId: 'chain-rewards',
  currency: 'EUR',
  returnWindowDays: 30,
  pointsExpiryDays: 365,
  pointValue: { points: 100, value: { amount: 100, currency: 'EUR' } },
  holdTtlMs: 5 * 60_000,
  offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
  tiers: [
    { tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 },
    { tierId: 'gold', name: 'Gold', earnPoints: 3, earnPerMinor: 200, qualifyingPoints: 5_000 },
  ],
});

export const baseTier = programme.tiers[0] as LoyaltyTier;
export const goldTier = programme.tiers[1] as LoyaltyTier;

/** The EARN_PENDING entry of a base-tier sale paying `paidMinor` cents at `at`. */
export function earned(saleId: string, paidMinor: number, at: number, accountId = ACCOUNT): LoyaltyEntry {
  const [entry] = earnForSale(eur(paidMinor), baseTier, programme, at, { accountId, saleId });
  if (entry === undefined) throw new Error(`sale ${saleId} earns nothing`);
  return entry;
}

/** A credit adjustment: points usable at once, expiring `expiresInDays` later. */
export function credited(
  adjustmentId: string,
  points: number,
  at: number,
  expiresInDays = 365,
): LoyaltyEntry {
  return {
    entryId: `adjust:${adjustmentId}`,
    accountId: ACCOUNT,
    type: 'ADJUST',
    points,
    occurredAt: at,
    sourceDoc: adjustmentId,
    availableAt: at,
    expiresAt: at + expiresInDays * DAY,
    reason: 'Welcome bonus',
  };
}
