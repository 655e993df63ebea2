import { describe, expect, it } from 'vitest';
import { ACCOUNT, T0, credited, earned, eur } from './loyalty.fixtures';
import { LoyaltyEntrySchema, loyaltyEntryIds, parseLoyaltyEntry } from './loyalty-entry';
import { describeAge, formatPoints, negatePoints } from './schema-parts';

const base = { entryId: 'e-1', accountId: ACCOUNT, occurredAt: T0 };

function problems(input: unknown): string {
  const result = parseLoyaltyEntry(input);
  if (result.ok) throw new Error('expected the entry to be refused');
  expect(result.error.code).toBe('INVALID_INPUT');
  return result.error.message;
}

describe('loyalty-entry', () => {
  describe('LoyaltyEntrySchema', () => {
    it('accepts entries made by the ledger functions', () => {
      expect(LoyaltyEntrySchema.safeParse(earned('sale-1', 1_000, T0)).success).toBe(true);
      expect(LoyaltyEntrySchema.safeParse(credited('bonus', 10, T0)).success).toBe(true);
    });

    it('checks the sign of points for each type', () => {
      expect(
        problems({ ...base, type: 'EARN_PENDING', points: 0, availableAt: T0, value: eur(1) }),
      ).toContain('EARN_PENDING points must be positive, got 0.');
      expect(problems({ ...base, type: 'REDEEM_HOLD', points: 5, holdId: 'h', expiresAt: T0 })).toContain(
        'REDEEM_HOLD points must be negative',
      );
      expect(problems({ ...base, type: 'ADJUST', points: 0, reason: 'x' })).toContain(
        'ADJUST points must be non-zero',
      );
      expect(problems({ ...base, type: 'EARN_ACTIVATE', points: -1, lotId: 'l' })).toContain(
        'must be non-negative',
      );
      expect(problems({ ...base, type: 'EXPIRE', points: 1, lotId: 'l' })).toContain('must be non-positive');
    });

    it('requires and forbids fields by type', () => {
      const message = problems({ ...base, type: 'REDEEM_CAPTURE', points: -5, lotId: 'l' });
      expect(message).toContain('REDEEM_CAPTURE needs holdId.');
      expect(message).toContain('REDEEM_CAPTURE needs value.');
      expect(message).toContain('REDEEM_CAPTURE does not take lotId.');
      expect(problems({ ...base, type: 'ADJUST', points: 5, reason: 'x' })).toContain(
        'A credit ADJUST needs availableAt.',
      );
      expect(problems({ ...base, type: 'OFFLINE_OVERDRAFT', points: -5, availableAt: T0 })).toContain(
        'OFFLINE_OVERDRAFT needs causedBy.',
      );
    });

    it('requires allocations to account for the points moved', () => {
      const hold = {
        ...base,
        type: 'REDEEM_HOLD',
        points: -10,
        holdId: 'h',
        expiresAt: T0 + 1,
        allocations: [{ lotId: 'a', points: 4 }],
      };
      expect(problems(hold)).toContain('REDEEM_HOLD allocations move 4 points but the entry says -10.');
      expect(problems({ ...hold, allocations: [{ lotId: 'a', points: 0 }] })).toContain(
        'An allocation moves at least one point.',
      );
      expect(
        problems({
          ...base,
          type: 'EARN_PENDING',
          points: 5,
          availableAt: T0,
          value: eur(1),
          allocations: [{ lotId: 'a', points: 5 }],
        }),
      ).toContain('EARN_PENDING does not move points between lots.');
      // An online capture moves no points itself; the hold did.
      expect(
        LoyaltyEntrySchema.safeParse({
          ...base,
          type: 'REDEEM_CAPTURE',
          points: -10,
          holdId: 'h',
          value: eur(10),
        }).success,
      ).toBe(true);
    });

    it('refuses points that expire before they become usable', () => {
      expect(
        problems({
          ...base,
          type: 'EARN_PENDING',
          points: 5,
          availableAt: T0 + 10,
          expiresAt: T0 + 10,
          value: eur(5),
        }),
      ).toContain('Points must expire after they become usable.');
    });
  });

  describe('loyaltyEntryIds', () => {
    it('derives ids from the causing document so a replay collides with itself', () => {
      expect(loyaltyEntryIds.earn('S-1')).toBe('earn:S-1');
      expect(loyaltyEntryIds.reversal('R-1', 'earn:S-1')).toBe('reversal:R-1:earn:S-1');
      expect(loyaltyEntryIds.redemptionRefund('R-1', 'h')).toBe('refund:R-1:h');
      expect(loyaltyEntryIds.overdraft('capture:h')).toBe('overdraft:capture:h');
      expect(loyaltyEntryIds.expire('earn:S-1', 2)).toBe('expire:earn:S-1:2');
    });
  });

  describe('formatPoints', () => {
    it('groups thousands', () => {
      expect(formatPoints(0)).toBe('0');
      expect(formatPoints(1_234_567)).toBe('1,234,567');
      expect(formatPoints(-1_000)).toBe('-1,000');
    });
  });

  describe('describeAge', () => {
    it('says how old a balance is in the largest whole unit', () => {
      expect(describeAge(-5)).toBe('just now');
      expect(describeAge(59_999)).toBe('just now');
      expect(describeAge(60_000)).toBe('1 minute ago');
      expect(describeAge(45 * 60_000)).toBe('45 minutes ago');
      expect(describeAge(3_600_000)).toBe('1 hour ago');
      expect(describeAge(86_400_000)).toBe('1 day ago');
      expect(describeAge(3 * 86_400_000 + 5)).toBe('3 days ago');
    });
  });

  describe('negatePoints', () => {
    it('never produces negative zero', () => {
      expect(Object.is(negatePoints(0), 0)).toBe(true);
      expect(negatePoints(5)).toBe(-5);
    });
  });
});
