import { z } from 'zod';
import { DomainError, invalid, type Result } from '../errors';
import { divideRounded, money, type Money } from '../money';
import { MS_PER_DAY, currencySchema, entityIdSchema, moneySchema, parseWithSchema } from './schema-parts';

/**
 * The loyalty programme: one per chain, set at HQ, carried to every store by the feed. Times are epoch
 * milliseconds; periods are whole days of 24 hours (not calendar days), so the till and the hub agree on
 * the exact millisecond points become usable or expire regardless of time zone.
 */

const MAX_POINTS = Number.MAX_SAFE_INTEGER;
const pointCount = z.number().int().min(0).max(MAX_POINTS);

export const LoyaltyTierSchema = z.object({
  tierId: entityIdSchema,
  name: z.string().trim().min(1).max(100),
  /**
   * Earn rate as `earnPoints` points per `earnPerMinor` minor units paid (1 point per 1.00 EUR is
   * 1 / 100; 1.5 points per 1.00 is 3 / 200). Points earned are rounded down: a customer never gets a
   * point for a fraction of the spend it needs, and a partial return reverses by the same rule.
   */
  earnPoints: pointCount,
  earnPerMinor: z.number().int().min(1).max(MAX_POINTS),
  /** Lifetime points (not pending) needed to be in this tier; the base tier has 0. */
  qualifyingPoints: pointCount,
});
export type LoyaltyTier = z.infer<typeof LoyaltyTierSchema>;

export const OfflineRedemptionLimitsSchema = z.object({
  /** A balance snapshot older than this is not trusted for offline redemption at all. */
  maxSnapshotAgeMs: z
    .number()
    .int()
    .min(1)
    .max(30 * MS_PER_DAY),
  perTransactionCapPoints: pointCount,
  /** Across all customers, per device, over the last 24 hours. */
  perDeviceDayCapPoints: pointCount,
});
export type OfflineRedemptionLimits = z.infer<typeof OfflineRedemptionLimitsSchema>;

export const LoyaltyProgrammeSchema = z
  .object({
    programmeId: entityIdSchema,
    currency: currencySchema,
    /** Points earned on a sale stay pending (never redeemable) for this many days: the return window. */
    returnWindowDays: z.number().int().min(0).max(365),
    /** Points expire this many days after they were earned; null means they never expire. */
    pointsExpiryDays: z.number().int().min(1).max(3650).nullable(),
    /** What points are worth when redeemed: `points` points pay `value` (see tenders/pointsToMoney). */
    pointValue: z.object({ points: z.number().int().min(1).max(MAX_POINTS), value: moneySchema }),
    /** How long a hold placed for an online redemption lasts before the hub releases it. */
    holdTtlMs: z.number().int().min(1_000).max(MS_PER_DAY),
    offline: OfflineRedemptionLimitsSchema,
    tiers: z.array(LoyaltyTierSchema).min(1).max(50),
  })
  .superRefine((programme, context) => {
    if (programme.pointValue.value.currency !== programme.currency) {
      context.addIssue({
        code: 'custom',
        message: `Points must be valued in the programme currency ${programme.currency}.`,
        path: ['pointValue', 'value', 'currency'],
      });
    }
    if (programme.pointValue.value.amount <= 0) {
      context.addIssue({
        code: 'custom',
        message: 'Points must be worth more than nothing.',
        path: ['pointValue', 'value', 'amount'],
      });
    }
    if (programme.pointsExpiryDays !== null && programme.pointsExpiryDays <= programme.returnWindowDays) {
      context.addIssue({
        code: 'custom',
        message: 'Points must expire after the return window ends, or they could never be used.',
        path: ['pointsExpiryDays'],
      });
    }
    const seen = new Set<string>();
    programme.tiers.forEach((tier, index) => {
      if (seen.has(tier.tierId)) {
        context.addIssue({
          code: 'custom',
          message: `Tier ${tier.tierId} is listed twice.`,
          path: ['tiers', index],
        });
      }
      seen.add(tier.tierId);
    });
    if (!programme.tiers.some((tier) => tier.qualifyingPoints === 0)) {
      context.addIssue({
        code: 'custom',
        message: 'One tier must need 0 qualifying points, so every member has a tier.',
        path: ['tiers'],
      });
    }
  });
export type LoyaltyProgramme = z.infer<typeof LoyaltyProgrammeSchema>;

export function parseLoyaltyProgramme(input: unknown): Result<LoyaltyProgramme> {
  return parseWithSchema(LoyaltyProgrammeSchema, input, 'loyalty programme');
}

export function findLoyaltyTier(programme: LoyaltyProgramme, tierId: string): LoyaltyTier {
  const tier = programme.tiers.find((candidate) => candidate.tierId === tierId);
  if (tier === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'loyalty.loyaltyTierNotProgramme',
      { tierId },
      {
        tierId,
      },
    );
  }
  return tier;
}

/** The highest tier whose qualifying points the member has reached (ties: the one listed first). */
export function tierForQualifyingPoints(programme: LoyaltyProgramme, qualifyingPoints: number): LoyaltyTier {
  let best: LoyaltyTier | undefined;
  for (const tier of programme.tiers) {
    if (tier.qualifyingPoints > qualifyingPoints) continue;
    if (best === undefined || tier.qualifyingPoints > best.qualifyingPoints) best = tier;
  }
  // The schema guarantees a 0-point tier; this only guards programmes built without it.
  if (best === undefined) throw invalid('loyalty.loyaltyProgrammeNoTier');
  return best;
}

/** floor(paid × earnPoints / earnPerMinor); nothing for nothing paid. */
export function pointsForAmount(paid: Money, tier: LoyaltyTier, programme: LoyaltyProgramme): number {
  const amount = money(paid.amount, paid.currency);
  if (amount.currency !== programme.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      'loyalty.pointsEarnedAmountsSale',
      { currency: programme.currency, currency2: amount.currency },
      { programme: programme.currency, sale: amount.currency },
    );
  }
  if (amount.amount < 0) throw invalid('loyalty.amountEarnsPointsCannot', {}, { amount: amount.amount });
  const points = divideRounded(
    BigInt(amount.amount) * BigInt(tier.earnPoints),
    BigInt(tier.earnPerMinor),
    'DOWN',
  );
  if (points > BigInt(MAX_POINTS)) throw invalid('loyalty.pointsEarnedTooMany');
  return Number(points);
}

export function daysToMs(days: number): number {
  return days * MS_PER_DAY;
}

/** When points earned at `earnedAt` expire, or undefined when the programme never expires points. */
export function expiryFor(programme: LoyaltyProgramme, earnedAt: number): number | undefined {
  return programme.pointsExpiryDays === null ? undefined : earnedAt + daysToMs(programme.pointsExpiryDays);
}
