import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { errorOf } from '../test-support';
import { baseTier, eur, goldTier, programme } from './loyalty.fixtures';
import {
  findLoyaltyTier,
  parseLoyaltyProgramme,
  pointsForAmount,
  tierForQualifyingPoints,
  type LoyaltyProgramme,
} from './programme';

describe('programme', () => {
  describe('parseLoyaltyProgramme', () => {
    it('accepts a valid programme', () => {
      expect(parseLoyaltyProgramme(programme)).toEqual({ ok: true, value: programme });
    });

    it('names every field an HQ operator has to fix', () => {
      const result = parseLoyaltyProgramme({
        ...programme,
        pointsExpiryDays: 30,
        pointValue: { points: 100, value: { amount: 0, currency: 'USD' } },
        tiers: [{ ...goldTier }, { ...goldTier }],
      });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('INVALID_INPUT');
      expect(result.error.message).toContain(
        'pointsExpiryDays: Points must expire after the return window ends',
      );
      expect(result.error.message).toContain('pointValue.value.currency');
      expect(result.error.message).toContain('pointValue.value.amount');
      expect(result.error.message).toContain('Tier gold is listed twice');
      expect(result.error.message).toContain('One tier must need 0 qualifying points');
    });

    it('allows points that never expire', () => {
      expect(parseLoyaltyProgramme({ ...programme, pointsExpiryDays: null }).ok).toBe(true);
    });

    it('describes a programme that is not an object at all', () => {
      const result = parseLoyaltyProgramme(null);
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.error.message).toMatch(/^The loyalty programme is not valid\. loyalty programme:/);
    });
  });

  describe('findLoyaltyTier', () => {
    it('finds a tier by id and says when it is missing', () => {
      expect(findLoyaltyTier(programme, 'gold')).toBe(goldTier);
      expect(errorOf(() => findLoyaltyTier(programme, 'platinum')).code).toBe('NOT_FOUND');
    });
  });

  describe('tierForQualifyingPoints', () => {
    it('gives the highest tier reached', () => {
      expect(tierForQualifyingPoints(programme, 0)).toBe(baseTier);
      expect(tierForQualifyingPoints(programme, 4_999)).toBe(baseTier);
      expect(tierForQualifyingPoints(programme, 5_000)).toBe(goldTier);
    });

    it('refuses a programme built without a tier for new members', () => {
      const broken = { ...programme, tiers: [goldTier] } as LoyaltyProgramme;
      expect(errorOf(() => tierForQualifyingPoints(broken, 0)).code).toBe('INVALID_INPUT');
    });
  });

  describe('pointsForAmount', () => {
    it('rounds down: a point is earned only for the whole spend it needs', () => {
      expect(pointsForAmount(eur(1_999), baseTier, programme)).toBe(19);
      expect(pointsForAmount(eur(1_999), goldTier, programme)).toBe(29);
      expect(pointsForAmount(eur(99), baseTier, programme)).toBe(0);
    });

    it('refuses another currency and negative amounts', () => {
      expect(errorOf(() => pointsForAmount(money(1_000, 'USD'), baseTier, programme)).code).toBe(
        'CURRENCY_MISMATCH',
      );
      expect(errorOf(() => pointsForAmount(eur(-1), baseTier, programme)).code).toBe('INVALID_INPUT');
    });

    it('refuses an earn rate that would give more points than can be counted exactly', () => {
      const generous = { ...baseTier, earnPoints: Number.MAX_SAFE_INTEGER, earnPerMinor: 1 };
      expect(errorOf(() => pointsForAmount(eur(10), generous, programme)).code).toBe('INVALID_INPUT');
    });

    it('never gives more than the exact share and is monotonic in the amount', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10_000_000 }),
          fc.integer({ min: 0, max: 10_000 }),
          (a, extra) => {
            const points = pointsForAmount(eur(a), goldTier, programme);
            expect(points * goldTier.earnPerMinor).toBeLessThanOrEqual(a * goldTier.earnPoints);
            expect((points + 1) * goldTier.earnPerMinor).toBeGreaterThan(a * goldTier.earnPoints);
            expect(pointsForAmount(eur(a + extra), goldTier, programme)).toBeGreaterThanOrEqual(points);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
