import { describe, expect, it } from 'vitest';
import { describeRule, formatMinor } from './describe';

describe('promotions/describe', () => {
  describe('formatMinor', () => {
    it('uses the currency exponent', () => {
      expect(formatMinor(1050, 'EUR')).toBe('10.50');
      expect(formatMinor(1050, 'JPY')).toBe('1050');
      expect(formatMinor(1050, 'KWD')).toBe('1.050');
    });
  });

  describe('describeRule', () => {
    it.each([
      [{ type: 'percent_off' as const, target: {}, percent: 12.5 }, '12.5% off'],
      [{ type: 'amount_off' as const, target: {}, amount: 150 }, '1.50 off'],
      [
        {
          type: 'buy_x_get_y' as const,
          buy: { target: {}, qty: 2 },
          get: { target: {}, qty: 1, percentOff: 100 },
        },
        'Buy 2 get 1 free',
      ],
      [
        {
          type: 'buy_x_get_y' as const,
          buy: { target: {}, qty: 1 },
          get: { target: {}, qty: 1, percentOff: 50 },
        },
        'Buy 1 get 1 at 50% off',
      ],
      [{ type: 'multi_buy' as const, target: {}, qty: 3, price: 1000 }, '3 for 10.00'],
      [
        { type: 'spend_threshold' as const, threshold: 5000, reward: { percentOff: 10 } },
        'Spend 50.00, get 10% off',
      ],
      [
        { type: 'spend_threshold' as const, threshold: 5000, reward: { amountOff: 500 } },
        'Spend 50.00, get 5.00 off',
      ],
      [{ type: 'spend_threshold' as const, threshold: 0, reward: { amountOff: 500 } }, '5.00 off the order'],
    ])('describes %o as %s', (rule, text) => {
      expect(describeRule(rule, 'EUR')).toBe(text);
    });

    it('refuses a rule type it does not know', () => {
      expect(() => describeRule({ type: 'mystery' } as never, 'EUR')).toThrow('Unexpected promotion rule');
    });
  });
});
