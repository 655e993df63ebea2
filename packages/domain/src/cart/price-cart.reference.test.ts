import fc from 'fast-check';
import type * as MoneyModule from '../money';
import { describe, expect, it, vi } from 'vitest';
import { checkedPromotion, type Promotion } from '../promotions/index';
import { ruleArb as promotionRuleArb } from '../promotions/promotion.arbitraries.fixtures';
import type { TaxRate } from '../tax/index';
import { priceCart, type CartInput } from './price-cart';

/**
 * priceCart with money's double fast paths (money.ts add, subtract, sum, multiply) against priceCart on a
 * second copy of the domain modules whose money adds, subtracts, sums and multiplies through BigInt only, as
 * every release before the fast paths did: random carts (each and kg lines, line and order discounts,
 * every promotion rule, inclusive and exclusive tax, cash rounding, amounts up to the cart bounds and past
 * them) must price to the same result, or fail with the same error.
 */
async function referencePriceCart(): Promise<typeof priceCart> {
  vi.resetModules();
  vi.doMock('../money', async () => {
    const actual = await vi.importActual<typeof MoneyModule>('../money');
    return { ...actual, ...actual.exactMoney };
  });
  const reference = await import('./price-cart');
  vi.doUnmock('../money');
  vi.resetModules();
  return reference.priceCart;
}

const AT = 1_795_000_000_000;
const SKUS = ['s1', 's2', 's3'];
const CATEGORIES = ['c1', 'c2'];

const ruleArb = promotionRuleArb(SKUS, CATEGORIES);
const promotionArb: fc.Arbitrary<Promotion> = fc
  .record({
    promotionId: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4'),
    priority: fc.integer({ min: -1, max: 1 }),
    stacking: fc.constantFrom('exclusive' as const, 'stackable' as const),
    maxApplications: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    rule: ruleArb,
    frozen: fc.boolean(),
  })
  .map(({ maxApplications, frozen, ...rest }) => {
    const promotion = {
      ...rest,
      version: 1,
      name: `Promotion ${rest.promotionId}`,
      scope: { type: 'chain' as const },
      currency: 'EUR',
      ...(maxApplications === undefined ? {} : { maxApplications }),
    } as Promotion;
    const checked = frozen ? checkedPromotion(promotion) : undefined;
    return checked?.ok ? checked.value : promotion;
  });

const discountArb = fc.oneof(
  fc.record({ percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ amount: fc.integer({ min: 1, max: 3000 }) }),
);
// Prices mostly of a shop, some near the top of what an amount may be (the sums then leave the safe range).
const priceArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 50_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2 ** 50, max: Number.MAX_SAFE_INTEGER }) },
);
const lineArb = fc.record({
  sku: fc.constantFrom(...SKUS),
  categoryIds: fc.subarray(CATEGORIES),
  kg: fc.boolean(),
  qty: fc.integer({ min: 1, max: 7 }),
  grams: fc.integer({ min: 1, max: 5000 }),
  unitPrice: priceArb,
  source: fc.constantFrom(
    'price_book' as const,
    'price_book' as const,
    'label' as const,
    'override' as const,
  ),
  inclusive: fc.boolean(),
  taxCategory: fc.constantFrom('std', 'reduced', 'none'),
  discount: fc.option(discountArb, { nil: undefined }),
});
const cartArb = fc.record({
  lines: fc.array(lineArb, { maxLength: 7 }),
  orderDiscount: fc.option(discountArb, { nil: undefined }),
  promotions: fc.array(promotionArb, { maxLength: 5 }),
  cashRoundingIncrement: fc.constantFrom(undefined, 1, 5, 10),
});
type GeneratedCart = typeof cartArb extends fc.Arbitrary<infer T> ? T : never;

const TAX_RATES: TaxRate[] = [
  { rateId: 'vat20', name: 'VAT 20', jurisdictionId: 'J', taxCategory: 'std', percent: 20 },
  { rateId: 'vat5', name: 'VAT 5.5', jurisdictionId: 'J', taxCategory: 'reduced', percent: 5.5 },
  { rateId: 'city', name: 'City', jurisdictionId: 'J', taxCategory: 'reduced', percent: 2.875 },
];

function cartInput(cart: GeneratedCart): CartInput {
  return {
    currency: 'EUR',
    at: AT,
    storeId: 'store-1',
    jurisdictionIds: ['J'],
    taxRates: TAX_RATES,
    promotions: cart.promotions,
    ...(cart.orderDiscount ? { orderDiscount: cart.orderDiscount } : {}),
    ...(cart.cashRoundingIncrement === undefined
      ? {}
      : { cashRoundingIncrement: cart.cashRoundingIncrement }),
    lines: cart.lines.map((line, index) => {
      const unitPrice = { amount: line.unitPrice, currency: 'EUR' as const };
      const label = line.source === 'label';
      return {
        lineId: `L${index}`,
        sku: line.sku,
        name: `Item ${index}`,
        unit: line.kg && !label ? ('kg' as const) : ('each' as const),
        taxCategory: line.taxCategory,
        categoryIds: line.categoryIds,
        qty: label ? 1 : line.kg ? line.grams : line.qty,
        price:
          line.source === 'price_book'
            ? {
                source: 'price_book' as const,
                unitPrice,
                taxInclusive: line.inclusive,
                priceBookId: 'pb',
                priceBookVersion: 2,
              }
            : line.source === 'label'
              ? { source: 'label' as const, unitPrice, taxInclusive: line.inclusive }
              : {
                  source: 'override' as const,
                  unitPrice,
                  taxInclusive: line.inclusive,
                  originalUnitPrice: { amount: 100, currency: 'EUR' as const },
                  reason: 'damaged',
                },
        ...(line.discount ? { discount: line.discount } : {}),
      };
    }),
  };
}

/** A result, or the error's code and message: two copies of the modules have two DomainError classes. */
function outcome(work: () => unknown): unknown {
  try {
    return { value: work() };
  } catch (error) {
    const { code } = error as { code?: unknown };
    return { code, message: error instanceof Error ? error.message : String(error) };
  }
}

describe('priceCart against its BigInt-only reference', () => {
  it('prices random carts exactly as the reference does, errors included', async () => {
    const reference = await referencePriceCart();
    expect(reference).not.toBe(priceCart);
    let priced = 0;
    fc.assert(
      fc.property(cartArb, (cart) => {
        const input = cartInput(cart);
        const fast = outcome(() => priceCart(input));
        expect(fast).toStrictEqual(outcome(() => reference(input)));
        if ((fast as { value?: unknown }).value !== undefined) priced += 1;
      }),
      { numRuns: 1_500 },
    );
    // Most carts price; the rest (amounts past the safe range) must fail the same way.
    expect(priced).toBeGreaterThan(750);
  });
});
