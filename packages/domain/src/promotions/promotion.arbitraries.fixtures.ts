import fc from 'fast-check';
import type { PromotionRule, PromotionTarget } from './promotion';

/**
 * fast-check generators of promotion rules, for the property tests that run the promotion engine or
 * priceCart over random promotions: every rule type, targets over the test's own SKUs and categories,
 * whole and fractional percents.
 */

export function targetArb(
  skus: readonly string[],
  categories: readonly string[],
): fc.Arbitrary<PromotionTarget> {
  return fc.record(
    { skus: fc.subarray([...skus]), categoryIds: fc.subarray([...categories]) },
    { requiredKeys: [] },
  );
}

/** Whole percents, and percents with up to four decimals (the most a promotion may carry). */
export const percentArb = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: 999_999 }).map((scaled) => scaled / 10_000),
);

export function ruleArb(skus: readonly string[], categories: readonly string[]): fc.Arbitrary<PromotionRule> {
  const target = targetArb(skus, categories);
  return fc.oneof(
    fc.record({ type: fc.constant('percent_off' as const), target, percent: percentArb }),
    fc.record({
      type: fc.constant('amount_off' as const),
      target,
      amount: fc.integer({ min: 1, max: 3000 }),
    }),
    fc.record({
      type: fc.constant('buy_x_get_y' as const),
      buy: fc.record({ target, qty: fc.integer({ min: 1, max: 3 }) }),
      get: fc.record({ target, qty: fc.integer({ min: 1, max: 2 }), percentOff: percentArb }),
    }),
    fc.record({
      type: fc.constant('multi_buy' as const),
      target,
      qty: fc.integer({ min: 2, max: 4 }),
      price: fc.integer({ min: 0, max: 6000 }),
    }),
    fc.record(
      {
        type: fc.constant('spend_threshold' as const),
        threshold: fc.integer({ min: 0, max: 20_000 }),
        target,
        reward: fc.oneof(
          fc.record({ percentOff: percentArb }),
          fc.record({ amountOff: fc.integer({ min: 1, max: 5000 }) }),
        ),
      },
      { requiredKeys: ['type', 'threshold', 'reward'] },
    ),
  );
}
