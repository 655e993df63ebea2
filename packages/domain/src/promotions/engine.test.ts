import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money, type Money } from '../money';
import {
  applyPromotions,
  compareEvaluationOrder,
  totalDiscount,
  type PromotionLine,
  type PromotionOutcome,
} from './engine';
import type { Promotion } from './promotion';
import { AT, CONTEXT, EUR, eachLine, everything, kgLine, promotion } from './promotion.fixtures';

function discountByLine(outcome: PromotionOutcome): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const adjustment of outcome.adjustments) {
    totals[adjustment.lineId] = (totals[adjustment.lineId] ?? 0) + adjustment.amount.amount;
  }
  return totals;
}

function compact(outcome: PromotionOutcome): [string, string, number][] {
  return outcome.adjustments.map((a) => [a.lineId, a.promotionId, a.amount.amount]);
}

function whyFor(outcome: PromotionOutcome, promotionId: string): string | undefined {
  return outcome.considered.find((entry) => entry.promotionId === promotionId)?.why;
}

function catchError(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const percentOff = (percent: number, target = everything) => ({
  type: 'percent_off' as const,
  target,
  percent,
});
const amountOff = (amount: number, target = everything) => ({ type: 'amount_off' as const, target, amount });
const buyGet = (
  buyQty: number,
  getQty: number,
  percent = 100,
  buyTarget = everything,
  getTarget = buyTarget,
) => ({
  type: 'buy_x_get_y' as const,
  buy: { target: buyTarget, qty: buyQty },
  get: { target: getTarget, qty: getQty, percentOff: percent },
});
const multiBuy = (qty: number, price: number, target = everything) => ({
  type: 'multi_buy' as const,
  target,
  qty,
  price,
});
const spend = (
  threshold: number,
  reward: { percentOff: number } | { amountOff: number },
  target?: { skus?: string[]; categoryIds?: string[] },
) =>
  target === undefined
    ? { type: 'spend_threshold' as const, threshold, reward }
    : { type: 'spend_threshold' as const, threshold, reward, target };

describe('promotions/engine', () => {
  describe('applyPromotions', () => {
    describe('percent_off', () => {
      it('discounts only the targeted SKU, rounding half up per line', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1999, 1), eachLine('b', 500, 2)],
          [promotion('p', percentOff(10, { skus: ['sku-a'] }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 200]]);
        expect(outcome.adjustments[0]).toMatchObject({ level: 'line', reason: '10% off' });
        expect(outcome.applied).toEqual([
          {
            promotionId: 'p',
            version: 1,
            name: 'Promotion p',
            level: 'line',
            applications: 1,
            total: money(200, EUR),
          },
        ]);
      });

      it('matches a line through any of its categories, and applies 4-decimal percentages exactly', () => {
        const outcome = applyPromotions(
          [eachLine('a', 999, 1, { categoryIds: ['dairy', 'fresh'] }), eachLine('b', 999, 1)],
          [promotion('p', percentOff(12.5, { categoryIds: ['fresh'] }))],
          CONTEXT,
        );
        // 12.5 % of 9.99 = 1.24875 → 1.25
        expect(compact(outcome)).toEqual([['a', 'p', 125]]);
      });

      it('discounts weighed lines on their whole amount when the target is empty', () => {
        const outcome = applyPromotions([kgLine('w', 1299, 1250)], [promotion('p', percentOff(10))], CONTEXT);
        // 12.99/kg × 1.250 kg = 16.2375 → 16.24; 10 % = 1.624 → 1.62
        expect(compact(outcome)).toEqual([['w', 'p', 162]]);
      });

      it('discounts only the most valuable units when maxApplications caps it', () => {
        const outcome = applyPromotions(
          [eachLine('a', 500, 1), eachLine('b', 800, 3)],
          [promotion('p', percentOff(10), { maxApplications: 2 })],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['b', 'p', 160]]);
        expect(outcome.adjustments[0]?.reason).toBe('10% off (2 of 3 units)');
        expect(outcome.applied[0]?.applications).toBe(2);
        expect(whyFor(outcome, 'p')).toBe('Applied 2 times (the per-sale limit): 1.60 off.');
      });

      it('does not apply when no line is in the target', () => {
        const outcome = applyPromotions(
          [eachLine('a', 500, 1)],
          [promotion('p', percentOff(10, { skus: ['other'] }))],
          CONTEXT,
        );
        expect(outcome.adjustments).toEqual([]);
        expect(outcome.considered).toEqual([
          { promotionId: 'p', version: 1, applied: false, why: 'No item in the basket is eligible.' },
        ]);
      });

      it('does not apply to lines that are already free or when the discount rounds to zero', () => {
        const free = applyPromotions([eachLine('a', 0, 2)], [promotion('p', percentOff(10))], CONTEXT);
        expect(whyFor(free, 'p')).toBe('The eligible items are already fully discounted.');
        const tiny = applyPromotions([eachLine('a', 4, 1)], [promotion('p', percentOff(10))], CONTEXT);
        expect(whyFor(tiny, 'p')).toBe('The discount rounds to zero on these items.');
        expect(tiny.applied).toEqual([]);
      });

      it('rounds in zero-decimal currencies to whole yen', () => {
        const yen = { ...CONTEXT, currency: 'JPY' };
        const line = eachLine('a', 1055, 1, { currency: 'JPY' });
        const outcome = applyPromotions([line], [promotion('p', percentOff(10), { currency: 'JPY' })], yen);
        expect(outcome.adjustments[0]?.amount).toEqual(money(106, 'JPY'));
      });
    });

    describe('amount_off', () => {
      it('takes the amount off every unit of an each line', () => {
        const outcome = applyPromotions([eachLine('a', 300, 3)], [promotion('p', amountOff(50))], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 150]]);
        expect(outcome.adjustments[0]?.reason).toBe('0.50 off each (3 units)');
        expect(outcome.applied[0]?.applications).toBe(3);
      });

      it('never takes more than a unit is worth', () => {
        const outcome = applyPromotions([eachLine('a', 300, 2)], [promotion('p', amountOff(500))], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 600]]);
      });

      it('takes the amount once off a weighed line, whatever it weighs', () => {
        const outcome = applyPromotions(
          [kgLine('w', 1299, 1250), kgLine('v', 50, 10)],
          [promotion('p', amountOff(100))],
          CONTEXT,
        );
        // 0.50/kg × 10 g = 0.005 → 0.01: the line is worth less than the amount, so it becomes free.
        expect(compact(outcome)).toEqual([
          ['v', 'p', 1],
          ['w', 'p', 100],
        ]);
        expect(outcome.adjustments.map((a) => a.reason)).toEqual(['1.00 off', '1.00 off']);
        expect(outcome.applied[0]?.applications).toBe(2);
      });

      it('stops at maxApplications units', () => {
        const outcome = applyPromotions(
          [eachLine('a', 300, 3)],
          [promotion('p', amountOff(50), { maxApplications: 1 })],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 50]]);
        expect(outcome.adjustments[0]?.reason).toBe('0.50 off each (1 unit)');
      });
    });

    describe('buy_x_get_y', () => {
      it('gives one free with three units of buy 1 get 1', () => {
        const outcome = applyPromotions([eachLine('a', 400, 3)], [promotion('p', buyGet(1, 1))], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 400]]);
        expect(outcome.adjustments[0]?.reason).toBe('Buy 1 get 1 free: 1 free');
        expect(outcome.applied[0]?.applications).toBe(1);
      });

      it('gives two free with four units of buy 1 get 1', () => {
        const outcome = applyPromotions([eachLine('a', 400, 4)], [promotion('p', buyGet(1, 1))], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 800]]);
        expect(outcome.adjustments[0]?.reason).toBe('Buy 1 get 1 free: 2 free');
      });

      it('does not apply to a single unit: a unit bought is never also the one given', () => {
        const outcome = applyPromotions([eachLine('a', 400, 1)], [promotion('p', buyGet(1, 1))], CONTEXT);
        expect(outcome.adjustments).toEqual([]);
        expect(whyFor(outcome, 'p')).toContain('Needs 1 eligible unit to buy and 1 more to get');
      });

      it('gives away the cheapest units when prices are mixed', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 2), eachLine('b', 300, 1), eachLine('c', 700, 1)],
          [promotion('p', buyGet(2, 1))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['b', 'p', 300]]);
        expect(outcome.adjustments[0]?.reason).toBe('Buy 2 get 1 free: 1 free');
      });

      it('gives away the cheapest units across all applications', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1), eachLine('b', 200, 1), eachLine('c', 600, 1), eachLine('d', 800, 1)],
          [promotion('p', buyGet(1, 1))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['b', 'p', 200],
          ['c', 'p', 600],
        ]);
        expect(outcome.applied[0]?.applications).toBe(2);
      });

      it('applies only as often as the buy side allows when buy and get targets differ', () => {
        const outcome = applyPromotions(
          [eachLine('shoe', 5000, 1, { sku: 'shoe' }), eachLine('sock', 500, 3, { sku: 'sock' })],
          [promotion('p', buyGet(1, 1, 100, { skus: ['shoe'] }, { skus: ['sock'] }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['sock', 'p', 500]]);
      });

      it('keeps a unit for the buy side when it is the only one that can be bought', () => {
        // The cheap unit is in both targets but is the only unit that can be bought, so the dearer one is free.
        const outcome = applyPromotions(
          [eachLine('a', 300, 1, { categoryIds: ['x'] }), eachLine('b', 900, 1, { categoryIds: ['y'] })],
          [promotion('p', buyGet(1, 1, 100, { categoryIds: ['x'] }, { categoryIds: ['x', 'y'] }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['b', 'p', 900]]);
      });

      it('discounts the get units by percentOff when they are not free', () => {
        const outcome = applyPromotions([eachLine('a', 999, 2)], [promotion('p', buyGet(1, 1, 50))], CONTEXT);
        // 50 % of 9.99 = 4.995 → 5.00
        expect(compact(outcome)).toEqual([['a', 'p', 500]]);
        expect(outcome.adjustments[0]?.reason).toBe('Buy 1 get 1 at 50% off: 1 at 50% off');
      });

      it('never counts weighed items', () => {
        const outcome = applyPromotions([kgLine('w', 1000, 5000)], [promotion('p', buyGet(1, 1))], CONTEXT);
        expect(outcome.adjustments).toEqual([]);
        expect(whyFor(outcome, 'p')).toContain('weighed items never count');
      });

      it('applies at most maxApplications times', () => {
        const outcome = applyPromotions(
          [eachLine('a', 400, 7)],
          [promotion('p', buyGet(1, 1), { maxApplications: 2 })],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 800]]);
        expect(outcome.applied[0]?.applications).toBe(2);
      });

      it('uses what remains of a line after earlier promotions to pick the cheapest unit', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1, { sku: 'a' }), eachLine('b', 800, 1, { sku: 'b' })],
          [
            promotion('half', percentOff(50, { skus: ['a'] }), { priority: 5 }),
            promotion('bogo', buyGet(1, 1)),
          ],
          CONTEXT,
        );
        // After 50 % off, a is worth 5.00 and is now the cheaper unit.
        expect(compact(outcome)).toEqual([
          ['a', 'half', 500],
          ['a', 'bogo', 500],
        ]);
      });
    });

    describe('multi_buy', () => {
      it('prices a complete group at the deal price', () => {
        const outcome = applyPromotions(
          [eachLine('a', 400, 3)],
          [promotion('p', multiBuy(3, 1000))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 200]]);
        expect(outcome.adjustments[0]?.reason).toBe('3 for 10.00 (3 units)');
      });

      it('leaves units outside a complete group at full price', () => {
        const outcome = applyPromotions(
          [eachLine('a', 400, 5)],
          [promotion('p', multiBuy(3, 1000))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 200]]);
        expect(outcome.applied[0]?.applications).toBe(1);
      });

      it('splits a mixed group saving over its lines by largest remainder', () => {
        const snacks = { categoryIds: ['snacks'] };
        const outcome = applyPromotions(
          [
            eachLine('a', 450, 1, snacks),
            eachLine('b', 400, 1, snacks),
            eachLine('c', 380, 1, snacks),
            eachLine('d', 300, 1, snacks),
          ],
          [promotion('p', multiBuy(3, 1000, { categoryIds: ['snacks'] }))],
          CONTEXT,
        );
        // Group 4.50 + 4.00 + 3.80 = 12.30, saving 2.30 split 84.15 / 74.80 / 71.06 → 84, 75, 71.
        expect(compact(outcome)).toEqual([
          ['a', 'p', 84],
          ['b', 'p', 75],
          ['c', 'p', 71],
        ]);
      });

      it('never raises the price when the group already costs less than the deal', () => {
        const outcome = applyPromotions(
          [eachLine('a', 300, 3)],
          [promotion('p', multiBuy(3, 1000))],
          CONTEXT,
        );
        expect(outcome.adjustments).toEqual([]);
        expect(whyFor(outcome, 'p')).toBe(
          'The 3 most expensive eligible units already cost 9.00, no more than the deal price 10.00.',
        );
      });

      it('stops grouping once a group would not save anything', () => {
        const outcome = applyPromotions(
          [eachLine('a', 500, 3), eachLine('b', 200, 3)],
          [promotion('p', multiBuy(3, 1000))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 500]]);
        expect(outcome.applied[0]?.applications).toBe(1);
      });

      it('gives no discount when a group straddling lines already costs less than the deal', () => {
        const outcome = applyPromotions(
          [eachLine('a', 300, 1), eachLine('b', 300, 1)],
          [promotion('p', multiBuy(2, 700))],
          CONTEXT,
        );
        expect(whyFor(outcome, 'p')).toContain('already cost 6.00');
      });

      it('forms groups from unevenly split units of one line', () => {
        const line: PromotionLine = { ...eachLine('a', 250, 4), amount: money(1001, EUR) };
        const outcome = applyPromotions([line], [promotion('p', multiBuy(2, 400))], CONTEXT);
        // Units worth 2.51, 2.50, 2.50, 2.50: groups 5.01 and 5.00 save 1.01 and 1.00.
        expect(compact(outcome)).toEqual([['a', 'p', 201]]);
        expect(outcome.applied[0]?.applications).toBe(2);
      });

      it('respects maxApplications', () => {
        const outcome = applyPromotions(
          [eachLine('a', 400, 9)],
          [promotion('p', multiBuy(3, 1000), { maxApplications: 2 })],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 400]]);
        expect(outcome.applied[0]?.applications).toBe(2);
      });

      it('never counts weighed items', () => {
        const outcome = applyPromotions(
          [kgLine('w', 1000, 3000)],
          [promotion('p', multiBuy(3, 100))],
          CONTEXT,
        );
        expect(whyFor(outcome, 'p')).toBe(
          'Needs 3 eligible units; the basket has 0 (weighed items never count).',
        );
      });
    });

    describe('spend_threshold', () => {
      it('applies when the eligible subtotal exactly reaches the threshold', () => {
        const outcome = applyPromotions(
          [eachLine('a', 3000, 1), eachLine('b', 1000, 2)],
          [promotion('p', spend(5000, { percentOff: 10 }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'p', 300],
          ['b', 'p', 200],
        ]);
        expect(outcome.adjustments.every((a) => a.level === 'order')).toBe(true);
        expect(outcome.adjustments[0]?.reason).toBe('Spend 50.00, get 10% off');
        expect(outcome.applied[0]).toMatchObject({ level: 'order', applications: 1, total: money(500, EUR) });
      });

      it('does not apply one minor unit below the threshold', () => {
        const outcome = applyPromotions(
          [eachLine('a', 3000, 1), eachLine('b', 1999, 1)],
          [promotion('p', spend(5000, { percentOff: 10 }))],
          CONTEXT,
        );
        expect(outcome.adjustments).toEqual([]);
        expect(whyFor(outcome, 'p')).toBe(
          'The eligible spend 49.99 is below the 50.00 threshold (0.01 to go).',
        );
      });

      it('measures the threshold after earlier line discounts', () => {
        const outcome = applyPromotions(
          [eachLine('a', 5000, 1)],
          [promotion('line', percentOff(10)), promotion('order', spend(5000, { amountOff: 500 }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'line', 500]]);
        expect(whyFor(outcome, 'order')).toContain('45.00 is below the 50.00 threshold');
      });

      it('splits an amount off over the eligible lines so the parts sum exactly', () => {
        const outcome = applyPromotions(
          [eachLine('a', 3333, 1), eachLine('b', 3333, 1), eachLine('c', 3334, 1)],
          [promotion('p', spend(10000, { amountOff: 1000 }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'p', 333],
          ['b', 'p', 333],
          ['c', 'p', 334],
        ]);
      });

      it('counts and discounts only the targeted lines, weighed ones included', () => {
        const outcome = applyPromotions(
          [
            eachLine('wine', 2000, 1, { categoryIds: ['wine'] }),
            kgLine('cheese', 2000, 500, { categoryIds: ['wine'] }),
            eachLine('bread', 5000, 1),
          ],
          [promotion('p', spend(3000, { percentOff: 10 }, { categoryIds: ['wine'] }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['cheese', 'p', 100],
          ['wine', 'p', 200],
        ]);
      });

      it('caps an amount off at the eligible subtotal when the threshold is zero', () => {
        const outcome = applyPromotions(
          [eachLine('a', 120, 1), eachLine('b', 0, 1)],
          [promotion('p', spend(0, { amountOff: 500 }))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'p', 120]]);
        expect(outcome.adjustments[0]?.reason).toBe('5.00 off the order');
      });

      it('does not apply when nothing eligible is left to discount', () => {
        const none = applyPromotions(
          [eachLine('a', 100, 1)],
          [promotion('p', spend(0, { percentOff: 10 }, { skus: ['x'] }))],
          CONTEXT,
        );
        expect(whyFor(none, 'p')).toBe('No item in the basket is eligible.');
        const free = applyPromotions(
          [eachLine('a', 0, 1)],
          [promotion('p', spend(0, { percentOff: 10 }))],
          CONTEXT,
        );
        expect(whyFor(free, 'p')).toBe('The eligible items are already fully discounted.');
      });
    });

    describe('evaluation order', () => {
      const bogo = promotion('z-bogo', buyGet(1, 1));
      const fiftyCents = promotion('a-amount', amountOff(300));

      it('runs buy-X-get-Y before other promotions of the same priority', () => {
        const outcome = applyPromotions([eachLine('a', 1000, 2)], [fiftyCents, bogo], CONTEXT);
        // BOGO first: one unit free (10.00); then 3.00 off each of the remaining 5.00 + 5.00.
        expect(compact(outcome)).toEqual([
          ['a', 'z-bogo', 1000],
          ['a', 'a-amount', 600],
        ]);
        expect(outcome.applied.map((a) => a.promotionId)).toEqual(['z-bogo', 'a-amount']);
      });

      it('runs higher priority first, even before a buy-X-get-Y', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 2)],
          [{ ...fiftyCents, priority: 1 }, bogo],
          CONTEXT,
        );
        // 3.00 off each first (14.00 left, 7.00 a unit); then one unit free.
        expect(compact(outcome)).toEqual([
          ['a', 'a-amount', 600],
          ['a', 'z-bogo', 700],
        ]);
      });

      it('breaks remaining ties by promotionId', () => {
        const first = promotion('a', percentOff(10), { stacking: 'exclusive' });
        const second = promotion('b', percentOff(50), { stacking: 'exclusive' });
        const outcome = applyPromotions([eachLine('x', 1000, 1)], [second, first], CONTEXT);
        expect(compact(outcome)).toEqual([['x', 'a', 100]]);
      });

      it('runs order-level promotions after line-level ones whatever their priority', () => {
        const outcome = applyPromotions(
          [eachLine('a', 10000, 1)],
          [
            promotion('order', spend(0, { percentOff: 10 }), { priority: 100 }),
            promotion('line', amountOff(1000)),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'line', 1000],
          ['a', 'order', 900],
        ]);
      });

      it('exposes the ordering as a comparator', () => {
        const order = [promotion('b', percentOff(1)), promotion('a', spend(0, { percentOff: 1 })), bogo]
          .sort(compareEvaluationOrder)
          .map((p) => p.promotionId);
        expect(order).toEqual(['z-bogo', 'b', 'a']);
      });
    });

    describe('stacking', () => {
      const onA = { skus: ['sku-a'] };

      it('locks the lines of an exclusive promotion against every later one', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1), eachLine('b', 1000, 1)],
          [
            promotion('excl', percentOff(20, onA), { stacking: 'exclusive', priority: 10 }),
            promotion('stack', percentOff(10)),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'excl', 200],
          ['b', 'stack', 100],
        ]);
      });

      it('does not apply an exclusive promotion to a line another promotion already discounted', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1)],
          [
            promotion('stack', percentOff(10), { priority: 10 }),
            promotion('excl', percentOff(20, onA), { stacking: 'exclusive' }),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'stack', 100]]);
        expect(whyFor(outcome, 'excl')).toBe('Exclusive: the items it needs already have another promotion.');
      });

      it('applies an exclusive promotion to the untouched lines only', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1), eachLine('b', 1000, 1)],
          [
            promotion('stack', percentOff(10, onA), { priority: 10 }),
            promotion('excl', percentOff(20), { stacking: 'exclusive' }),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'stack', 100],
          ['b', 'excl', 200],
        ]);
      });

      it('says which exclusive promotion holds the lines a later promotion wanted', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1)],
          [
            promotion('excl', percentOff(20), { stacking: 'exclusive', priority: 10 }),
            promotion('stack', percentOff(10, onA)),
          ],
          CONTEXT,
        );
        expect(whyFor(outcome, 'stack')).toBe('The items it needs are already in exclusive promotion excl.');
      });

      it('keeps the plain reason when the blocked promotion would not have applied anyway', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1), eachLine('b', 100, 1)],
          [
            promotion('excl', percentOff(20, onA), { stacking: 'exclusive', priority: 10 }),
            promotion('stack', multiBuy(2, 5000)),
            promotion('excl2', multiBuy(2, 5000), { stacking: 'exclusive' }),
          ],
          CONTEXT,
        );
        expect(whyFor(outcome, 'stack')).toContain('Needs 2 eligible units');
        expect(whyFor(outcome, 'excl2')).toContain('Needs 2 eligible units');
      });

      it('locks the lines an exclusive buy-X-get-Y used to qualify, not only the free ones', () => {
        const outcome = applyPromotions(
          [
            eachLine('shoe', 5000, 1, { sku: 'shoe' }),
            eachLine('sock', 500, 1, { sku: 'sock' }),
            eachLine('hat', 1000, 1, { sku: 'hat' }),
          ],
          [
            promotion('bogo', buyGet(1, 1, 100, { skus: ['shoe'] }, { skus: ['sock'] }), {
              stacking: 'exclusive',
            }),
            promotion('ten', percentOff(10)),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['hat', 'ten', 100],
          ['sock', 'bogo', 500],
        ]);
      });

      it('locks every line in an exclusive multi-buy group, even one whose share rounds to zero', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1), eachLine('b', 1, 1)],
          [
            promotion('deal', multiBuy(2, 900), { stacking: 'exclusive', priority: 1 }),
            promotion('half', percentOff(50)),
          ],
          CONTEXT,
        );
        // Saving 1.01 split 1000:1 gives b 0.001 → 0; b was still part of the deal.
        expect(compact(outcome)).toEqual([['a', 'deal', 101]]);
        expect(whyFor(outcome, 'half')).toBe('The items it needs are already in exclusive promotion deal.');
      });

      it('applies an exclusive order promotion only when nothing else applied', () => {
        const lines = [eachLine('a', 10000, 1)];
        const orderExclusive = promotion('order', spend(5000, { percentOff: 10 }), { stacking: 'exclusive' });
        const alone = applyPromotions(lines, [orderExclusive], CONTEXT);
        expect(compact(alone)).toEqual([['a', 'order', 1000]]);
        const withLine = applyPromotions(lines, [orderExclusive, promotion('line', amountOff(100))], CONTEXT);
        expect(compact(withLine)).toEqual([['a', 'line', 100]]);
        expect(whyFor(withLine, 'order')).toBe(
          'Exclusive: not combined with line, already applied to this sale.',
        );
      });

      it('keeps later order promotions off the lines of an exclusive order promotion', () => {
        const outcome = applyPromotions(
          [eachLine('a', 10000, 1)],
          [
            promotion('first', spend(0, { percentOff: 10 }), { stacking: 'exclusive', priority: 5 }),
            promotion('second', spend(0, { percentOff: 5 })),
          ],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'first', 1000]]);
        expect(whyFor(outcome, 'second')).toBe(
          'The items it needs are already in exclusive promotion first.',
        );
      });

      it('lets stackable promotions compound on what remains', () => {
        const outcome = applyPromotions(
          [eachLine('a', 1000, 1)],
          [promotion('p1', percentOff(50), { priority: 1 }), promotion('p2', percentOff(50))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([
          ['a', 'p1', 500],
          ['a', 'p2', 250],
        ]);
        expect(totalDiscount(outcome, EUR)).toEqual(money(750, EUR));
      });
    });

    describe('activity, scope and currency', () => {
      const ten = percentOff(10);
      const lines = [eachLine('a', 1000, 1)];

      it('is active from startsAt inclusive to endsAt exclusive', () => {
        const window = { startsAt: AT, endsAt: AT + 1000 };
        const at = (time: number) =>
          applyPromotions(lines, [promotion('p', ten, window)], { ...CONTEXT, at: time });
        expect(at(AT - 1).applied).toEqual([]);
        expect(whyFor(at(AT - 1), 'p')).toBe('Not started yet: starts 2026-01-01T00:00:00.000Z.');
        expect(at(AT).applied).toHaveLength(1);
        expect(at(AT + 999).applied).toHaveLength(1);
        expect(at(AT + 1000).applied).toEqual([]);
        expect(whyFor(at(AT + 1000), 'p')).toBe('Ended 2026-01-01T00:00:01.000Z.');
      });

      it('applies store- and region-scoped promotions only in their store or region', () => {
        const store = promotion('store', ten, { scope: { type: 'store', storeId: 'store-1' } });
        const otherStore = promotion('other', ten, { scope: { type: 'store', storeId: 'store-2' } });
        const region = promotion('region', ten, { scope: { type: 'region', regionId: 'north' } });
        const otherRegion = promotion('south', ten, { scope: { type: 'region', regionId: 'south' } });
        const outcome = applyPromotions(lines, [store, otherStore, region, otherRegion], CONTEXT);
        expect(outcome.applied.map((a) => a.promotionId)).toEqual(['region', 'store']);
        expect(whyFor(outcome, 'other')).toBe('Only for store store-2.');
        expect(whyFor(outcome, 'south')).toBe('Only for region south; this store is in region north.');
        const noRegion = applyPromotions(lines, [region], { at: AT, storeId: 'store-1', currency: EUR });
        expect(whyFor(noRegion, 'region')).toBe('Only for region north; this store has no region.');
      });

      it('ignores a promotion in another currency with a reason instead of failing', () => {
        const outcome = applyPromotions(lines, [promotion('usd', ten, { currency: 'USD' })], CONTEXT);
        expect(outcome.adjustments).toEqual([]);
        expect(outcome.considered).toEqual([
          { promotionId: 'usd', version: 1, applied: false, why: 'Priced in USD; this sale is in EUR.' },
        ]);
      });
    });

    describe('promotion data', () => {
      const lines = [eachLine('a', 1000, 1)];

      it('uses the newest version of a promotion and reports the older ones as superseded', () => {
        const v1 = promotion('p', percentOff(10));
        const v2 = promotion('p', percentOff(20), { version: 2 });
        const outcome = applyPromotions(lines, [v2, v1], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 200]]);
        expect(outcome.considered).toEqual([
          { promotionId: 'p', version: 2, applied: true, why: 'Applied 1 time: 2.00 off.' },
          { promotionId: 'p', version: 1, applied: false, why: 'Superseded by version 2.' },
        ]);
      });

      it('applies an identical duplicate once', () => {
        const p = promotion('p', percentOff(10));
        const outcome = applyPromotions(lines, [p, { ...p }], CONTEXT);
        expect(compact(outcome)).toEqual([['a', 'p', 100]]);
        expect(outcome.considered).toHaveLength(1);
      });

      it('skips a version that arrived twice with different content', () => {
        const outcome = applyPromotions(
          lines,
          [promotion('p', percentOff(10)), promotion('p', percentOff(20))],
          CONTEXT,
        );
        expect(outcome.adjustments).toEqual([]);
        expect(outcome.considered.map((c) => c.why)).toEqual([
          'Skipped: version 1 arrived twice with different content; HQ must publish a new version.',
          'Skipped: version 1 arrived twice with different content; HQ must publish a new version.',
        ]);
      });

      it('skips invalid promotion data with a reason instead of stopping the sale', () => {
        const broken = { ...promotion('bad', percentOff(10)), rule: percentOff(150) };
        const nameless = { rule: percentOff(10) } as unknown as Promotion;
        const rootless = 'not a promotion' as unknown as Promotion;
        const outcome = applyPromotions(
          lines,
          [broken, nameless, rootless, promotion('ok', percentOff(10))],
          CONTEXT,
        );
        expect(compact(outcome)).toEqual([['a', 'ok', 100]]);
        expect(whyFor(outcome, 'bad')).toBe(
          'Skipped: the promotion data is not valid (rule.percent: A percentage must be at most 100.).',
        );
        const unnamed = outcome.considered.filter((c) => c.promotionId === '(no id)');
        expect(unnamed).toHaveLength(2);
        expect(unnamed.every((c) => c.version === undefined && !c.applied)).toBe(true);
      });

      it('validates a promotion object again when its content changed since it was last used', () => {
        const reused = promotion('reused', percentOff(10));
        expect(compact(applyPromotions(lines, [reused], CONTEXT))).toEqual([['a', 'reused', 100]]);
        expect(compact(applyPromotions(lines, [reused], CONTEXT))).toEqual([['a', 'reused', 100]]);
        // A caller that edits the object it passed before (it should not) is judged on the new content.
        (reused as { rule: unknown }).rule = percentOff(150);
        const outcome = applyPromotions(lines, [reused], CONTEXT);
        expect(compact(outcome)).toEqual([]);
        expect(whyFor(outcome, 'reused')).toBe(
          'Skipped: the promotion data is not valid (rule.percent: A percentage must be at most 100.).',
        );
        (reused as { rule: unknown }).rule = percentOff(20);
        expect(compact(applyPromotions(lines, [reused], CONTEXT))).toEqual([['a', 'reused', 200]]);
      });
    });

    describe('input validation', () => {
      const p = [promotion('p', percentOff(10))];
      const good = eachLine('a', 1000, 1);

      it('refuses a basket line in another currency', () => {
        const error = catchError(() =>
          applyPromotions([eachLine('a', 100, 1, { currency: 'USD' })], p, CONTEXT),
        );
        expect(error.code).toBe('CURRENCY_MISMATCH');
        expect(error.message).toBe('Line a is priced in USD but the sale is in EUR.');
      });

      it.each<[string, unknown, string]>([
        ['a duplicate lineId', [good, good], 'Line a appears twice; every basket line needs its own lineId.'],
        ['a missing lineId', [{ ...good, lineId: '' }], 'Every basket line needs a lineId.'],
        ['a missing SKU', [{ ...good, sku: '' }], 'Line a has no SKU.'],
        ['categoryIds that are not a list', [{ ...good, categoryIds: 'x' }], 'Line a needs its categoryIds'],
        ['an unknown unit', [{ ...good, unit: 'litre' }], 'Line a must be sold by "each" or by "kg".'],
        ['a zero quantity', [{ ...good, qty: 0 }], 'Line a has quantity 0'],
        ['a fractional quantity', [{ ...good, qty: 1.5 }], 'Line a has quantity 1.5'],
        ['a negative amount', [{ ...good, amount: money(-1, EUR) }], 'Line a has a negative amount'],
        ['a malformed unit price', [{ ...good, unitPrice: 12.5 }], 'Line a has no valid unit price'],
        ['a non-object line', [null], 'Every basket line must be an object.'],
        ['lines that are not a list', 'lines', 'The basket lines must be a list.'],
      ])('refuses %s', (_case, lines, message) => {
        const error = catchError(() => applyPromotions(lines as PromotionLine[], p, CONTEXT));
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toContain(message);
      });

      it.each<[string, unknown, string]>([
        ['a missing context', null, 'Promotions need the sale context'],
        ['a fractional time', { ...CONTEXT, at: 1.5 }, 'The sale time must be whole epoch milliseconds.'],
        ['a missing store', { ...CONTEXT, storeId: '' }, 'The sale needs the id of the store'],
        ['an empty region', { ...CONTEXT, regionId: '' }, 'The store region id must not be empty'],
        [
          'an unknown currency',
          { ...CONTEXT, currency: 'XXX' },
          'The sale currency "XXX" is not a supported',
        ],
      ])('refuses %s', (_case, context, message) => {
        const error = catchError(() => applyPromotions([good], p, context as typeof CONTEXT));
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toContain(message);
      });

      it('refuses promotions that are not a list', () => {
        const error = catchError(() => applyPromotions([good], {} as Promotion[], CONTEXT));
        expect(error.message).toBe('The promotions must be a list.');
      });

      it('returns an empty outcome for an empty basket with no promotions', () => {
        expect(applyPromotions([], [], CONTEXT)).toEqual({ adjustments: [], applied: [], considered: [] });
      });
    });

    it('does not mutate its inputs', () => {
      const lines = [eachLine('b', 1000, 2), eachLine('a', 500, 1)];
      const promotions = [promotion('p', percentOff(10)), promotion('q', buyGet(1, 1))];
      const before = JSON.stringify([lines, promotions]);
      applyPromotions(lines, promotions, CONTEXT);
      expect(JSON.stringify([lines, promotions])).toBe(before);
    });

    it('reports totals consistent with the adjustments', () => {
      const outcome = applyPromotions(
        [eachLine('a', 1000, 3), kgLine('w', 1500, 700)],
        [promotion('bogo', buyGet(1, 1)), promotion('order', spend(0, { percentOff: 5 }))],
        CONTEXT,
      );
      for (const applied of outcome.applied) {
        const own: Money[] = outcome.adjustments
          .filter((a) => a.promotionId === applied.promotionId)
          .map((a) => a.amount);
        expect(own.reduce((total, m) => total + m.amount, 0)).toBe(applied.total.amount);
      }
      expect(discountByLine(outcome)).toEqual({ a: 1000 + 100, w: 53 });
    });
  });
});
