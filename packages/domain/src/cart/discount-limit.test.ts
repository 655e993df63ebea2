import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../test-support';
import { money } from '../money';
import type { Promotion } from '../promotions/index';
import { checkManualDiscountLimit, type DiscountLimits } from './discount-limit';
import { priceCart, type CartLineInput, type ManualDiscount } from './price-cart';

const RUNS = propertyRuns(1_000, 150);
const eur = (amount: number) => money(amount, 'EUR');

const line = (lineId: string, unitPrice: number, qty: number, discount?: ManualDiscount): CartLineInput => ({
  lineId,
  sku: `SKU-${lineId}`,
  name: `Item ${lineId}`,
  unit: 'each',
  taxCategory: 'std',
  categoryIds: ['cat'],
  qty,
  price: {
    source: 'price_book',
    unitPrice: eur(unitPrice),
    taxInclusive: true,
    priceBookId: 'pb',
    priceBookVersion: 1,
  },
  ...(discount === undefined ? {} : { discount }),
});

const halfOffA: Promotion = {
  promotionId: 'promo-a',
  version: 1,
  name: 'Half off A',
  priority: 1,
  stacking: 'stackable',
  scope: { type: 'chain' },
  currency: 'EUR',
  rule: { type: 'percent_off', target: { skus: ['SKU-a'] }, percent: 50 },
};

function cart(lines: CartLineInput[], orderDiscount?: ManualDiscount, promotions: Promotion[] = []) {
  return priceCart({
    currency: 'EUR',
    at: 1_795_000_000_000,
    storeId: 'S1',
    jurisdictionIds: ['J'],
    lines,
    ...(orderDiscount === undefined ? {} : { orderDiscount }),
    promotions,
    taxRates: [{ rateId: 'vat', name: 'VAT', jurisdictionId: 'J', taxCategory: 'std', percent: 20 }],
  });
}

const everyone = (percent: number): DiscountLimits => ({ linePercent: () => percent, orderPercent: percent });

describe('checkManualDiscountLimit', () => {
  it('judges an amount discount on the line as it stands: ten pieces less nine is 100% off one', () => {
    const given = cart([line('a', 45, 10, { amount: 45 })]);
    expect(checkManualDiscountLimit(given, everyone(10))).toEqual({ within: true });
    const lowered = cart([line('a', 45, 1, { amount: 45 })]);
    expect(checkManualDiscountLimit(lowered, everyone(10))).toMatchObject({
      within: false,
      scope: 'line',
      lineId: 'a',
      limitPercent: 10,
      given: eur(45),
      allowed: eur(5),
    });
    // A manager's limit covers it.
    expect(checkManualDiscountLimit(lowered, everyone(100))).toEqual({ within: true });
  });

  it('judges an order discount on what is left after lines were removed', () => {
    expect(
      checkManualDiscountLimit(cart([line('a', 450, 1), line('b', 129, 1)], { amount: 57 }), everyone(10)),
    ).toEqual({ within: true });
    expect(checkManualDiscountLimit(cart([line('b', 129, 1)], { amount: 57 }), everyone(10))).toMatchObject({
      within: false,
      scope: 'sale',
      given: eur(57),
      allowed: eur(13),
    });
  });

  it('refuses an order discount stacked on line discounts past the order giver’s limit', () => {
    const stacked = cart([line('a', 100, 1, { percent: 10 }), line('b', 100, 1)], { percent: 10 });
    expect(checkManualDiscountLimit(stacked, everyone(10))).toMatchObject({
      within: false,
      scope: 'sale',
      given: eur(10 + 19),
      allowed: eur(20),
    });
    // A supervisor's line discount and a cashier's order discount on top: the cashier may not add to
    // a sale already past the cashier's limit.
    const mixed = cart([line('a', 100, 1, { percent: 25 }), line('b', 100, 1)], { amount: 1 });
    expect(
      checkManualDiscountLimit(mixed, { linePercent: (id) => (id === 'a' ? 30 : 10), orderPercent: 10 }),
    ).toMatchObject({ within: false, scope: 'sale', allowed: eur(25) });
    // The same line discount with no order discount is within the supervisor's limit.
    expect(
      checkManualDiscountLimit(cart([line('a', 100, 1, { percent: 25 }), line('b', 100, 1)]), {
        linePercent: (id) => (id === 'a' ? 30 : 10),
        orderPercent: 10,
      }),
    ).toEqual({ within: true });
  });

  it('accepts exactly the limit: percentages round half up as the cart rounds them', () => {
    // 10% of 45 is 4.5: the cart takes 5 off, and so does the limit.
    expect(checkManualDiscountLimit(cart([line('a', 45, 1, { percent: 10 })]), everyone(10))).toEqual({
      within: true,
    });
    expect(
      checkManualDiscountLimit(
        cart([line('a', 45, 1), line('b', 45, 1), line('c', 45, 1)], { percent: 10 }),
        everyone(10),
      ),
    ).toEqual({ within: true });
  });

  it('never refuses percentage discounts at or under the limit, given on lines or on the order', () => {
    const lines = fc.array(
      fc.record({ price: fc.integer({ min: 1, max: 100_000 }), qty: fc.integer({ min: 1, max: 20 }) }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(
        lines,
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        fc.boolean(),
        (entries, limit, onLines, promoted) => {
          const percent = Math.max(1, Math.floor(limit / 2));
          const priced = cart(
            entries.map((entry, index) =>
              line(
                index === 0 ? 'a' : `l${index}`,
                entry.price,
                entry.qty,
                onLines ? { percent } : undefined,
              ),
            ),
            onLines ? undefined : { percent },
            promoted ? [halfOffA] : [],
          );
          expect(checkManualDiscountLimit(priced, everyone(Math.max(limit, percent)))).toEqual({
            within: true,
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never lets manual discounts past the limit by more than rounding, whatever was given', () => {
    const discount = fc.option(
      fc.oneof(
        fc.record({ percent: fc.integer({ min: 1, max: 100 }) }),
        fc.record({ amount: fc.integer({ min: 1, max: 50_000 }) }),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            price: fc.integer({ min: 1, max: 20_000 }),
            qty: fc.integer({ min: 1, max: 10 }),
            discount,
          }),
          { minLength: 1, maxLength: 5 },
        ),
        discount,
        fc.integer({ min: 0, max: 100 }),
        (entries, orderDiscount, limit) => {
          const priced = cart(
            entries.map((entry, index) => line(`l${index}`, entry.price, entry.qty, entry.discount)),
            orderDiscount,
          );
          if (!checkManualDiscountLimit(priced, everyone(limit)).within) return;
          let total = 0;
          for (const pricedLine of priced.lines) {
            let own = 0;
            for (const adjustment of pricedLine.adjustments) {
              total += adjustment.amount.amount;
              if (adjustment.kind === 'manual_line') own += adjustment.amount.amount;
            }
            // Half a minor unit of rounding per line at most.
            expect(own * 100).toBeLessThanOrEqual(pricedLine.extended.amount * limit + 50);
          }
          expect(total * 100).toBeLessThanOrEqual(
            priced.totals.subtotal.amount * limit + 50 * (priced.lines.length + 1),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
