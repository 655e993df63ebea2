import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money } from '../money';
import {
  TENDER_TYPES,
  assertSafeReference,
  maxRedeemablePoints,
  pointsToMoney,
  tenderLabel,
  tenderValue,
  type LoyaltyPointValue,
} from './tender';

const usd = (amount: number) => money(amount, 'USD');
const hundredPerDollar: LoyaltyPointValue = { points: 100, value: usd(100) };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('tender', () => {
  describe('tenderLabel', () => {
    it('has a cashier-facing label for every tender type', () => {
      expect(TENDER_TYPES.map(tenderLabel)).toEqual(['Cash', 'Card', 'Store credit', 'Gift card', 'Points']);
    });
  });

  describe('assertSafeReference', () => {
    it('accepts terminal references and masked numbers', () => {
      expect(() => assertSafeReference('card', 'AUTH-123456', true)).not.toThrow();
      expect(() => assertSafeReference('gift_card', '****1234', true)).not.toThrow();
      expect(() => assertSafeReference('loyalty_points', undefined, false)).not.toThrow();
    });

    it('refuses a missing reference where one is required', () => {
      expect(codeOf(() => assertSafeReference('card', '  ', true))).toBe(
        'INVALID_INPUT: Card needs a reference; enter it from the terminal, card or account.',
      );
    });

    it('refuses anything that looks like a full card number, with or without separators', () => {
      expect(codeOf(() => assertSafeReference('card', '4111 1111 1111 1111', true))).toMatch(
        /^INVALID_INPUT: Card reference looks like a full card number/,
      );
      expect(codeOf(() => assertSafeReference('gift_card', '6035-7100-0000-0000-123', true))).toMatch(
        /looks like a full card number/,
      );
    });

    it('refuses a reference too long to store', () => {
      expect(codeOf(() => assertSafeReference('store_credit', 'x'.repeat(101), true))).toMatch(
        /longer than 100/,
      );
    });
  });

  describe('pointsToMoney', () => {
    it('values points at the conversion rate, rounding down', () => {
      expect(pointsToMoney(250, hundredPerDollar)).toEqual(usd(250));
      expect(pointsToMoney(7, { points: 3, value: usd(1) })).toEqual(usd(2));
    });

    it('refuses bad points and bad conversions', () => {
      expect(codeOf(() => pointsToMoney(0, hundredPerDollar))).toMatch(/positive whole number/);
      expect(codeOf(() => pointsToMoney(1.5, hundredPerDollar))).toMatch(/positive whole number/);
      expect(codeOf(() => pointsToMoney(10, { points: 0, value: usd(1) }))).toMatch(
        /conversion must be a positive/,
      );
      expect(codeOf(() => pointsToMoney(10, { points: 10, value: usd(0) }))).toMatch(/positive value/);
    });
  });

  describe('maxRedeemablePoints', () => {
    it('gives the most points whose value fits the amount due', () => {
      expect(maxRedeemablePoints(usd(1_234), hundredPerDollar)).toBe(1_234);
      expect(maxRedeemablePoints(usd(10), { points: 1, value: usd(3) })).toBe(3);
      expect(pointsToMoney(3, { points: 1, value: usd(3) }).amount).toBeLessThanOrEqual(10);
    });

    it('caps at the points available and is zero when nothing is due', () => {
      expect(maxRedeemablePoints(usd(1_234), hundredPerDollar, 500)).toBe(500);
      expect(maxRedeemablePoints(usd(0), hundredPerDollar)).toBe(0);
      expect(maxRedeemablePoints(usd(100), hundredPerDollar, -3)).toBe(0);
    });

    it('refuses points valued in another currency', () => {
      expect(codeOf(() => maxRedeemablePoints(money(100, 'EUR'), hundredPerDollar))).toMatch(
        /^CURRENCY_MISMATCH/,
      );
    });
  });

  describe('tenderValue', () => {
    it('returns the amount of money tenders and the value of points', () => {
      expect(tenderValue({ type: 'cash', amount: usd(500) })).toEqual(usd(500));
      expect(tenderValue({ type: 'card', amount: usd(500), reference: 'T1' })).toEqual(usd(500));
      expect(tenderValue({ type: 'loyalty_points', points: 300, pointValue: hundredPerDollar })).toEqual(
        usd(300),
      );
    });

    it('refuses zero, negative and fractional amounts', () => {
      expect(codeOf(() => tenderValue({ type: 'cash', amount: usd(0) }))).toBe(
        'INVALID_INPUT: Cash amount must be more than zero.',
      );
      expect(codeOf(() => tenderValue({ type: 'gift_card', amount: usd(-5), reference: '****1' }))).toMatch(
        /Gift card amount must be more than zero/,
      );
      expect(codeOf(() => tenderValue({ type: 'cash', amount: { amount: 0.5, currency: 'USD' } }))).toMatch(
        /whole number of minor units/,
      );
    });

    it('refuses points worth less than one minor unit and says how many are needed', () => {
      expect(
        codeOf(() =>
          tenderValue({ type: 'loyalty_points', points: 2, pointValue: { points: 3, value: usd(1) } }),
        ),
      ).toBe('INVALID_INPUT: 2 points are worth less than 0.01; redeem at least 3 points.');
    });
  });
});
