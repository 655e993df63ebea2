import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors';
import { money } from '../money';
import { NO_RECEIPT_REFUND_TENDER, noReceiptRefund, type PriceObservation } from './no-receipt';
import { errorOf } from '../test-support';

const MS_PER_DAY = 86_400_000;

const gbp = (amount: number) => money(amount, 'GBP');
const now = 400 * MS_PER_DAY;
const observations: PriceObservation[] = [
  { unitPrice: gbp(1_299), from: 0, to: now - 40 * MS_PER_DAY, source: 'spring book' },
  { unitPrice: gbp(899), from: now - 40 * MS_PER_DAY, to: now - 20 * MS_PER_DAY, source: 'summer sale' },
  { unitPrice: gbp(1_199), from: now - 20 * MS_PER_DAY, source: 'current book' },
];

describe('no-receipt', () => {
  describe('noReceiptRefund', () => {
    it('refunds the lowest price in the window, as store credit, with a reason', () => {
      const result = noReceiptRefund(observations, { at: now, windowDays: 30 });
      expect(result.unitPrice).toEqual(gbp(899));
      expect(result.refund).toEqual(gbp(899));
      expect(result.tender).toBe('store_credit');
      expect(NO_RECEIPT_REFUND_TENDER).toBe('store_credit');
      expect(result.windowStart).toBe(now - 30 * MS_PER_DAY);
      expect(result.reason).toBe(
        'No receipt: refunding 1 × 8.99, the lowest price in the last 30 days (summer sale), as store credit only.',
      );
    });

    it('ignores prices that ended before the window or start after the return', () => {
      const shortWindow = noReceiptRefund(observations, { at: now, windowDays: 20 });
      expect(shortWindow.unitPrice).toEqual(gbp(1_199));
      const future = [...observations, { unitPrice: gbp(1), from: now + 1, source: 'next week' }];
      expect(noReceiptRefund(future, { at: now, windowDays: 20 }).unitPrice).toEqual(gbp(1_199));
      // A price ending exactly at the window start was not in effect inside it.
      expect(noReceiptRefund(observations, { at: now + 10 * MS_PER_DAY, windowDays: 30 }).unitPrice).toEqual(
        gbp(1_199),
      );
    });

    it('multiplies by the quantity and rounds weighed items down', () => {
      expect(noReceiptRefund(observations, { at: now, windowDays: 30, qty: 2 }).refund).toEqual(gbp(1_798));
      const weighed = noReceiptRefund([{ unitPrice: gbp(299), from: 0, source: 'book' }], {
        at: now,
        windowDays: 30,
        qty: 1_250,
        unit: 'kg',
      });
      expect(weighed.refund).toEqual(gbp(373));
      expect(weighed.reason).toMatch(/refunding 1250 g at 2.99\/kg/);
    });

    it('does not depend on the order of observations, even with ties', () => {
      const tied = [
        ...observations,
        { unitPrice: gbp(899), from: now - 5 * MS_PER_DAY, to: now - 4 * MS_PER_DAY, source: 'flash' },
        { unitPrice: gbp(899), from: now - 5 * MS_PER_DAY, to: now - 4 * MS_PER_DAY, source: 'app deal' },
      ];
      fc.assert(
        fc.property(fc.shuffledSubarray(tied, { minLength: tied.length }), (shuffled) => {
          expect(noReceiptRefund(shuffled, { at: now, windowDays: 30 }).source).toBe('app deal');
        }),
      );
    });

    it('says when the item has no price in the window', () => {
      const error = errorOf(() => noReceiptRefund([], { at: now, windowDays: 30 }));
      expect(error.code).toBe('NO_PRICE');
      expect(error.message).toBe(
        'This item has no price in the last 30 days, so a return without a receipt cannot be valued.',
      );
    });

    it('refuses bad input', () => {
      expect(errorOf(() => noReceiptRefund(observations, { at: 1.5, windowDays: 30 })).code).toBe(
        'INVALID_INPUT',
      );
      expect(errorOf(() => noReceiptRefund(observations, { at: now, windowDays: 0 })).message).toMatch(
        /between 1 and 3650 days/,
      );
      expect(errorOf(() => noReceiptRefund(observations, { at: now, windowDays: 30, qty: 0 })).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() =>
          noReceiptRefund([{ unitPrice: gbp(-1), from: 0, source: 'bad' }], { at: now, windowDays: 30 }),
        ).message,
      ).toBe('The price from bad is negative.');
      expect(
        errorOf(() =>
          noReceiptRefund([{ unitPrice: gbp(1), from: 5, to: 5, source: 'bad' }], {
            at: now,
            windowDays: 30,
          }),
        ).message,
      ).toBe('The price from bad ends before it starts.');
      expect(
        errorOf(() =>
          noReceiptRefund([...observations, { unitPrice: money(1, 'EUR'), from: 0, source: 'euro' }], {
            at: now,
            windowDays: 30,
          }),
        ).code,
      ).toBe('CURRENCY_MISMATCH');
    });

    it('never refunds more per unit than any price in effect in the window', () => {
      const observationArb = fc
        .record({
          price: fc.integer({ min: 0, max: 100_000 }),
          fromDay: fc.integer({ min: 0, max: 400 }),
          days: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        })
        .map((spec): PriceObservation => ({
          unitPrice: gbp(spec.price),
          from: spec.fromDay * MS_PER_DAY,
          ...(spec.days === undefined ? {} : { to: (spec.fromDay + spec.days) * MS_PER_DAY }),
          source: `p${spec.price}`,
        }));
      fc.assert(
        fc.property(
          fc.array(observationArb, { minLength: 1, maxLength: 10 }),
          fc.integer({ min: 1, max: 90 }),
          (list, windowDays) => {
            try {
              const result = noReceiptRefund(list, { at: now, windowDays });
              const inWindow = list.filter(
                (observation) => observation.from <= now && (observation.to ?? Infinity) > result.windowStart,
              );
              for (const observation of inWindow) {
                expect(result.unitPrice.amount).toBeLessThanOrEqual(observation.unitPrice.amount);
              }
            } catch (error) {
              expect((error as DomainError).code).toBe('NO_PRICE');
            }
          },
        ),
      );
    });
  });
});
