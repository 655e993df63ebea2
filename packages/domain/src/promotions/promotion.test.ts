import { describe, expect, it } from 'vitest';
import { PromotionSchema, checkedPromotion, isCheckedPromotion, parsePromotion } from './promotion';
import { promotion } from './promotion.fixtures';

const valid = promotion('p', { type: 'percent_off', target: { skus: ['a'] }, percent: 8.875 });

function problemsOf(input: unknown): { path: string; message: string }[] {
  const result = parsePromotion(input);
  if (result.ok) throw new Error('expected the promotion to be refused');
  return result.error.details?.problems as { path: string; message: string }[];
}

describe('promotions/promotion', () => {
  describe('PromotionSchema', () => {
    it.each([
      ['percent_off', { type: 'percent_off', target: {}, percent: 100 }],
      ['amount_off', { type: 'amount_off', target: { categoryIds: ['c'] }, amount: 1 }],
      [
        'buy_x_get_y',
        {
          type: 'buy_x_get_y',
          buy: { target: {}, qty: 2 },
          get: { target: { skus: ['s'] }, qty: 1, percentOff: 50 },
        },
      ],
      ['multi_buy', { type: 'multi_buy', target: {}, qty: 3, price: 0 }],
      [
        'spend_threshold with percentOff',
        { type: 'spend_threshold', threshold: 0, reward: { percentOff: 5 } },
      ],
      [
        'spend_threshold with amountOff and a target',
        { type: 'spend_threshold', threshold: 5000, target: { skus: ['s'] }, reward: { amountOff: 500 } },
      ],
    ])('accepts a %s rule', (_name, rule) => {
      expect(PromotionSchema.safeParse({ ...valid, rule }).success).toBe(true);
    });

    it('accepts every scope and a window', () => {
      for (const scope of [
        { type: 'chain' },
        { type: 'region', regionId: 'r' },
        { type: 'store', storeId: 's' },
      ]) {
        expect(PromotionSchema.safeParse({ ...valid, scope, startsAt: 0, endsAt: 1 }).success).toBe(true);
      }
    });

    it('drops unknown fields so the stored row is exactly the schema', () => {
      const parsed = PromotionSchema.parse({ ...valid, colour: 'red' });
      expect(parsed).toEqual(valid);
    });
  });

  describe('checkedPromotion', () => {
    it('validates once and freezes the promotion all the way down', () => {
      const first = checkedPromotion(JSON.parse(JSON.stringify(valid)));
      if (!first.ok) throw new Error('expected the promotion to be valid');
      expect(first.value).toEqual(valid);
      expect(isCheckedPromotion(first.value)).toBe(true);
      expect(Object.isFrozen(first.value.rule)).toBe(true);
      expect(() => {
        (first.value.rule as { percent: number }).percent = 99;
      }).toThrow(TypeError);
      // Given it again, it answers the very same object.
      const again = checkedPromotion(first.value);
      expect(again.ok && again.value).toBe(first.value);
    });

    it('refuses what parsePromotion refuses and marks nothing', () => {
      const input = { ...valid, name: '' };
      expect(checkedPromotion(input).ok).toBe(false);
      expect(isCheckedPromotion(input)).toBe(false);
      expect(isCheckedPromotion(valid)).toBe(false);
    });
  });

  describe('parsePromotion', () => {
    it('returns the promotion when it is valid', () => {
      expect(parsePromotion(valid)).toEqual({ ok: true, value: valid });
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['a percentage over 100', { percent: 150 }, 'rule.percent', 'A percentage must be at most 100.'],
      ['a zero percentage', { percent: 0 }, 'rule.percent', 'A percentage must be more than 0.'],
      [
        'a percentage with 5 decimals',
        { percent: 1.23456 },
        'rule.percent',
        'A percentage has at most 4 decimal places.',
      ],
    ])('refuses %s', (_name, ruleChange, path, message) => {
      expect(problemsOf({ ...valid, rule: { ...valid.rule, ...ruleChange } })).toContainEqual({
        path,
        message,
      });
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['a version below 1', { version: 0 }, 'version', 'Versions start at 1.'],
      ['an empty name', { name: '' }, 'name', 'A promotion needs a name.'],
      ['a fractional priority', { priority: 1.5 }, 'priority', 'A priority must be a whole number.'],
      [
        'an unknown stacking mode',
        { stacking: 'sometimes' },
        'stacking',
        'Stacking must be "exclusive" or "stackable".',
      ],
      [
        'an unknown currency',
        { currency: 'ABC' },
        'currency',
        'The currency is not a supported ISO 4217 code.',
      ],
      ['a zero maxApplications', { maxApplications: 0 }, 'maxApplications', 'A quantity must be at least 1.'],
      [
        'an end before the start',
        { startsAt: 10, endsAt: 10 },
        'endsAt',
        'The promotion must end after it starts.',
      ],
      ['an empty promotion id', { promotionId: '' }, 'promotionId', 'An id must not be empty.'],
      ['a fractional start', { startsAt: 0.5 }, 'startsAt', 'A time must be whole epoch milliseconds.'],
    ])('refuses %s', (_name, change, path, message) => {
      expect(problemsOf({ ...valid, ...change })).toContainEqual({ path, message });
    });

    it.each<[string, unknown, string, string]>([
      ['an unknown rule type', { type: 'mystery' }, 'rule.type', 'The rule type must be percent_off'],
      [
        'a one-unit multi-buy',
        { type: 'multi_buy', target: {}, qty: 1, price: 100 },
        'rule.qty',
        'A multi-buy needs',
      ],
      [
        'a negative multi-buy price',
        { type: 'multi_buy', target: {}, qty: 2, price: -1 },
        'rule.price',
        'must not be negative',
      ],
      ['a zero amount off', { type: 'amount_off', target: {}, amount: 0 }, 'rule.amount', 'more than zero'],
      [
        'a fractional amount',
        { type: 'amount_off', target: {}, amount: 1.5 },
        'rule.amount',
        'whole number of minor units',
      ],
      [
        'a reward with both kinds',
        { type: 'spend_threshold', threshold: 0, reward: { percentOff: 5, amountOff: 5 } },
        'rule.reward',
        'either { percentOff } or { amountOff }',
      ],
      [
        'a zero get quantity',
        { type: 'buy_x_get_y', buy: { target: {}, qty: 1 }, get: { target: {}, qty: 0, percentOff: 100 } },
        'rule.get.qty',
        'at least 1',
      ],
      [
        'an empty SKU in a target',
        { type: 'percent_off', target: { skus: [''] }, percent: 5 },
        'rule.target.skus.0',
        'empty',
      ],
    ])('refuses %s', (_name, rule, path, message) => {
      const problems = problemsOf({ ...valid, rule });
      expect(problems.some((problem) => problem.path === path && problem.message.includes(message))).toBe(
        true,
      );
    });

    it('refuses an unknown scope and says which shapes are allowed', () => {
      expect(problemsOf({ ...valid, scope: { type: 'country' } })).toContainEqual({
        path: 'scope.type',
        message:
          'The scope must be { type: "chain" }, { type: "region", regionId } or { type: "store", storeId }.',
      });
    });

    it('names every problem in one sentence for the operator', () => {
      const result = parsePromotion({ ...valid, name: '', version: 0 });
      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message:
            'The promotion is not valid. version: Versions start at 1. name: A promotion needs a name.',
        },
      });
    });

    it('refuses something that is not an object at all', () => {
      expect(problemsOf(42)[0]?.path).toBe('promotion');
    });
  });
});
