import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extend, money, percentage, type Unit } from '../money';
import {
  applyPromotions,
  applyPromotionsEvaluatingEveryRule,
  type PromotionLine,
  type PromotionOutcome,
} from './engine';
import { matchesTarget } from './rules';
import { checkedPromotion, type Promotion } from './promotion';
import {
  percentArb,
  ruleArb as promotionRuleArb,
  targetArb as promotionTargetArb,
} from './promotion.arbitraries.fixtures';
import { AT, CONTEXT, EUR } from './promotion.fixtures';

const SKUS = ['s1', 's2', 's3', 's4'];
const CATEGORIES = ['c1', 'c2', 'c3'];

const targetArb = promotionTargetArb(SKUS, CATEGORIES);
const ruleArb = promotionRuleArb(SKUS, CATEGORIES);

const promotionArb: fc.Arbitrary<Promotion> = fc
  .record({
    promotionId: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'),
    version: fc.integer({ min: 1, max: 2 }),
    priority: fc.integer({ min: -2, max: 2 }),
    stacking: fc.constantFrom('exclusive' as const, 'stackable' as const),
    scope: fc.constantFrom(
      { type: 'chain' as const },
      { type: 'store' as const, storeId: 'store-1' },
      { type: 'store' as const, storeId: 'store-2' },
      { type: 'region' as const, regionId: 'north' },
    ),
    currency: fc.constantFrom(EUR, EUR, EUR, 'USD'),
    maxApplications: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    window: fc.option(
      fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 10 })).map(([start, length]) => ({
        startsAt: AT + start,
        endsAt: AT + start + length,
      })),
      { nil: undefined },
    ),
    rule: ruleArb,
  })
  .map(({ window, maxApplications, ...rest }) => ({
    ...rest,
    name: `Promotion ${rest.promotionId}`,
    ...(window ?? {}),
    ...(maxApplications === undefined ? {} : { maxApplications }),
  }));

const lineArb = (lineId: string): fc.Arbitrary<PromotionLine> =>
  fc
    .record({
      sku: fc.constantFrom(...SKUS),
      categoryIds: fc.subarray(CATEGORIES),
      unit: fc.constantFrom<Unit>('each', 'each', 'kg'),
      eachQty: fc.integer({ min: 1, max: 7 }),
      grams: fc.integer({ min: 1, max: 3000 }),
      unitPrice: fc.integer({ min: 0, max: 5000 }),
    })
    .map(({ sku, categoryIds, unit, eachQty, grams, unitPrice }) => {
      const qty = unit === 'each' ? eachQty : grams;
      const price = money(unitPrice, EUR);
      return { lineId, sku, categoryIds, unit, qty, unitPrice: price, amount: extend(price, qty, unit) };
    });

const linesArb: fc.Arbitrary<PromotionLine[]> = fc
  .uniqueArray(fc.constantFrom('l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6'), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(lineArb)));

const basketArb = fc.record({
  lines: linesArb,
  promotions: fc.array(promotionArb, { maxLength: 6 }),
});

function permuted<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

function discountsByLine(outcome: PromotionOutcome): Map<string, number> {
  const totals = new Map<string, number>();
  for (const adjustment of outcome.adjustments) {
    totals.set(adjustment.lineId, (totals.get(adjustment.lineId) ?? 0) + adjustment.amount.amount);
  }
  return totals;
}

describe('promotions/engine (properties)', () => {
  describe('applyPromotions', () => {
    it('gives the same outcome whatever the order of lines and promotions', () => {
      fc.assert(
        fc.property(
          basketArb.chain(({ lines, promotions }) =>
            fc.record({
              lines: fc.constant(lines),
              promotions: fc.constant(promotions),
              shuffledLines: permuted(lines),
              shuffledPromotions: permuted(promotions),
            }),
          ),
          ({ lines, promotions, shuffledLines, shuffledPromotions }) => {
            expect(applyPromotions(shuffledLines, shuffledPromotions, CONTEXT)).toEqual(
              applyPromotions(lines, promotions, CONTEXT),
            );
          },
        ),
        // Order dependence only shows when lines tie on value or promotions tie on priority: search wider.
        { numRuns: 400 },
      );
    });

    it('answers exactly as evaluating every rule, though it skips promotions targeting nothing in the cart', () => {
      // Some lines are moved out of every target (a SKU and categories no promotion names), so carts where
      // most promotions target nothing, as on a till with fifty of them, are common; some promotions are
      // the till's frozen, checked copies.
      const cartArb = fc
        .record({
          lines: linesArb,
          foreign: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
          promotions: fc.array(promotionArb, { maxLength: 12 }),
          checked: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        })
        .map(({ lines, foreign, promotions, checked }) => ({
          lines: lines.map((line, index) =>
            foreign[index] === true ? { ...line, sku: `elsewhere-${line.sku}`, categoryIds: ['c9'] } : line,
          ),
          promotions: promotions.map((promotion, index) => {
            if (checked[index] !== true) return promotion;
            const frozen = checkedPromotion(structuredClone(promotion));
            if (!frozen.ok) throw new Error('a generated promotion is not valid');
            return frozen.value;
          }),
        }));
      fc.assert(
        fc.property(cartArb, ({ lines, promotions }) => {
          expect(applyPromotions(lines, promotions, CONTEXT)).toStrictEqual(
            applyPromotionsEvaluatingEveryRule(lines, promotions, CONTEXT),
          );
        }),
        { numRuns: 1000 },
      );
    });

    it('reuses its triage of the same checked promotions only while it still holds', () => {
      // A till prices cart after cart against the same frozen promotions while the clock moves across their
      // start and end times and the store changes: every answer must be the one triaging afresh gives.
      const contextArb = fc.record({
        at: fc.integer({ min: AT - 7, max: AT + 16 }),
        storeId: fc.constantFrom('store-1', 'store-2'),
        regionId: fc.constantFrom('north', undefined),
        // The lines are in EUR; promotions in USD are set aside by triage.
        currency: fc.constant(EUR),
      });
      fc.assert(
        fc.property(
          fc.array(promotionArb, { minLength: 1, maxLength: 10 }),
          fc.array(fc.tuple(linesArb, contextArb), { minLength: 2, maxLength: 12 }),
          fc.boolean(),
          (generated, sales, sameArray) => {
            const checked = generated.map((promotion) => {
              const frozen = checkedPromotion(structuredClone(promotion));
              if (!frozen.ok) throw new Error('a generated promotion is not valid');
              return frozen.value;
            });
            for (const [lines, context] of sales) {
              // The till filters its promotions afresh for each cart: a new array of the same objects.
              const promotions = sameArray ? checked : [...checked];
              expect(applyPromotions(lines, promotions, context)).toStrictEqual(
                applyPromotionsEvaluatingEveryRule(lines, promotions, context),
              );
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('never discounts a line by more than its amount and never makes a zero or negative adjustment', () => {
      fc.assert(
        fc.property(basketArb, ({ lines, promotions }) => {
          const outcome = applyPromotions(lines, promotions, CONTEXT);
          for (const adjustment of outcome.adjustments) {
            expect(adjustment.amount.amount).toBeGreaterThan(0);
            expect(Number.isSafeInteger(adjustment.amount.amount)).toBe(true);
            expect(adjustment.amount.currency).toBe(EUR);
          }
          const byLine = discountsByLine(outcome);
          for (const line of lines) {
            expect(byLine.get(line.lineId) ?? 0).toBeLessThanOrEqual(line.amount.amount);
          }
          const subtotal = lines.reduce((total, line) => total + line.amount.amount, 0);
          const discount = [...byLine.values()].reduce((total, amount) => total + amount, 0);
          expect(discount).toBeLessThanOrEqual(subtotal);
        }),
      );
    });

    it('reports each applied total as the exact sum of its adjustments, once per (line, promotion)', () => {
      fc.assert(
        fc.property(basketArb, ({ lines, promotions }) => {
          const outcome = applyPromotions(lines, promotions, CONTEXT);
          for (const applied of outcome.applied) {
            const own = outcome.adjustments.filter((a) => a.promotionId === applied.promotionId);
            expect(own.reduce((total, a) => total + a.amount.amount, 0)).toBe(applied.total.amount);
            expect(new Set(own.map((a) => a.lineId)).size).toBe(own.length);
            expect(applied.applications).toBeGreaterThan(0);
            if (applied.level === 'order') expect(own.every((a) => a.level === 'order')).toBe(true);
          }
          const considered = new Set(outcome.considered.map((entry) => entry.promotionId));
          expect(considered).toEqual(new Set(promotions.map((p) => p.promotionId)));
        }),
      );
    });

    it('keeps every line of an exclusive promotion free of any other promotion', () => {
      fc.assert(
        fc.property(basketArb, ({ lines, promotions }) => {
          const outcome = applyPromotions(lines, promotions, CONTEXT);
          const exclusive = new Set(
            promotions.filter((p) => p.stacking === 'exclusive').map((p) => `${p.promotionId}@${p.version}`),
          );
          const appliedExclusive = new Set(
            outcome.applied
              .filter((a) => exclusive.has(`${a.promotionId}@${a.version}`))
              .map((a) => a.promotionId),
          );
          for (const adjustment of outcome.adjustments) {
            if (!appliedExclusive.has(adjustment.promotionId)) continue;
            const others = outcome.adjustments.filter(
              (a) => a.lineId === adjustment.lineId && a.promotionId !== adjustment.promotionId,
            );
            expect(others).toEqual([]);
          }
        }),
      );
    });

    it('never applies a promotion more often than its maxApplications', () => {
      fc.assert(
        fc.property(basketArb, ({ lines, promotions }) => {
          const outcome = applyPromotions(lines, promotions, CONTEXT);
          for (const applied of outcome.applied) {
            const source = promotions.find(
              (p) => p.promotionId === applied.promotionId && p.version === applied.version,
            );
            if (source?.maxApplications !== undefined) {
              expect(applied.applications).toBeLessThanOrEqual(source.maxApplications);
            }
          }
        }),
      );
    });

    it('is unaffected by promotions for another store', () => {
      fc.assert(
        fc.property(basketArb, promotionArb, ({ lines, promotions }, extra) => {
          const elsewhere = {
            ...extra,
            promotionId: 'elsewhere',
            scope: { type: 'store' as const, storeId: 'x' },
          };
          const without = applyPromotions(lines, promotions, CONTEXT);
          const withExtra = applyPromotions(lines, [...promotions, elsewhere], CONTEXT);
          expect(withExtra.adjustments).toEqual(without.adjustments);
          expect(withExtra.applied).toEqual(without.applied);
        }),
      );
    });

    it('gives away the cheapest units the most times a buy-X-get-Y can apply (checked by brute force)', () => {
      const smallLines = fc
        .uniqueArray(fc.constantFrom('l0', 'l1', 'l2', 'l3'), { maxLength: 4 })
        .chain((ids) =>
          fc.tuple(
            ...ids.map((lineId) =>
              fc.record({
                lineId: fc.constant(lineId),
                sku: fc.constantFrom(...SKUS),
                categoryIds: fc.subarray(CATEGORIES),
                qty: fc.integer({ min: 1, max: 3 }),
                price: fc.integer({ min: 1, max: 9 }),
              }),
            ),
          ),
        )
        .filter((lines) => lines.reduce((total, line) => total + line.qty, 0) <= 8);
      fc.assert(
        fc.property(
          smallLines,
          targetArb,
          targetArb,
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 2 }),
          fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          (specs, buyTarget, getTarget, buyQty, getQty, maxApplications) => {
            const lines = specs.map((spec) => {
              const price = money(spec.price, EUR);
              return {
                lineId: spec.lineId,
                sku: spec.sku,
                categoryIds: spec.categoryIds,
                unit: 'each' as const,
                qty: spec.qty,
                unitPrice: price,
                amount: extend(price, spec.qty, 'each'),
              };
            });
            const bogo: Promotion = {
              promotionId: 'bogo',
              version: 1,
              name: 'BOGO',
              priority: 0,
              stacking: 'stackable',
              scope: { type: 'chain' },
              currency: EUR,
              ...(maxApplications === undefined ? {} : { maxApplications }),
              rule: {
                type: 'buy_x_get_y',
                buy: { target: buyTarget, qty: buyQty },
                get: { target: getTarget, qty: getQty, percentOff: 100 },
              },
            };
            const units = lines.flatMap((line) =>
              Array.from({ length: line.qty }, () => ({
                value: line.unitPrice.amount,
                buys: matchesTarget(line, buyTarget),
                gets: matchesTarget(line, getTarget),
              })),
            );
            // Every unit is bought, given or left alone: keep the most applications, then the cheapest gift.
            let best = { applications: 0, given: 0 };
            const visit = (position: number, bought: number, given: number, givenValue: number): void => {
              if (position === units.length) {
                if (bought % buyQty !== 0 || bought * getQty !== given * buyQty) return;
                const applications = bought / buyQty;
                if (maxApplications !== undefined && applications > maxApplications) return;
                if (
                  applications > best.applications ||
                  (applications === best.applications && givenValue < best.given)
                ) {
                  best = { applications, given: givenValue };
                }
                return;
              }
              const unit = units[position];
              if (unit === undefined) return;
              visit(position + 1, bought, given, givenValue);
              if (unit.buys) visit(position + 1, bought + 1, given, givenValue);
              if (unit.gets) visit(position + 1, bought, given + 1, givenValue + unit.value);
            };
            visit(0, 0, 0, 0);
            const outcome = applyPromotions(lines, [bogo], CONTEXT);
            expect(outcome.applied[0]?.applications ?? 0).toBe(best.applications);
            expect(outcome.applied[0]?.total.amount ?? 0).toBe(best.given);
          },
        ),
      );
    });

    it('splits an order discount over the eligible lines exactly and in proportion', () => {
      fc.assert(
        fc.property(
          linesArb,
          fc.integer({ min: 0, max: 20_000 }),
          fc.oneof(
            fc.record({ percentOff: percentArb }),
            fc.record({ amountOff: fc.integer({ min: 1, max: 30_000 }) }),
          ),
          (lines, threshold, reward) => {
            const promotion: Promotion = {
              promotionId: 'order',
              version: 1,
              name: 'Order discount',
              priority: 0,
              stacking: 'stackable',
              scope: { type: 'chain' },
              currency: EUR,
              rule: { type: 'spend_threshold', threshold, reward },
            };
            const outcome = applyPromotions(lines, [promotion], CONTEXT);
            const subtotal = money(
              lines.reduce((total, line) => total + line.amount.amount, 0),
              EUR,
            );
            const expected =
              subtotal.amount < threshold || subtotal.amount === 0
                ? 0
                : 'percentOff' in reward
                  ? percentage(subtotal, reward.percentOff).amount
                  : Math.min(reward.amountOff, subtotal.amount);
            const shares = discountsByLine(outcome);
            const allocated = [...shares.values()].reduce((total, amount) => total + amount, 0);
            expect(allocated).toBe(expected);
            for (const line of lines) {
              // Largest remainder: each share is the exact pro-rata share rounded down or up by one unit.
              const exact = (expected * line.amount.amount) / Math.max(subtotal.amount, 1);
              const share = shares.get(line.lineId) ?? 0;
              expect(share).toBeGreaterThanOrEqual(Math.floor(exact));
              expect(share).toBeLessThanOrEqual(Math.ceil(exact));
            }
          },
        ),
      );
    });
  });
});
