import fc from 'fast-check';
import type { PriceBook, PriceEntry, PriceTier } from './price-book';
import type { PriceCandidate, PriceContext } from './resolve-price';

/** Test data builders and fast-check arbitraries shared by the pricing tests. */

export const AT = 1_800_000_000_000;
export const HOUR = 3_600_000;

export const storeContext: PriceContext = {
  storeId: 'S1',
  regionId: 'R1',
  at: AT,
  qty: 1,
  currency: 'EUR',
};

export function book(overrides: Partial<PriceBook> & Pick<PriceBook, 'priceBookId'>): PriceBook {
  return {
    version: 1,
    name: `Book ${overrides.priceBookId}`,
    currency: 'EUR',
    scope: { type: 'chain' },
    priority: 0,
    taxInclusive: true,
    ...overrides,
  };
}

export function candidate(
  bookOverrides: Partial<PriceBook> & Pick<PriceBook, 'priceBookId'>,
  tiers: PriceTier[] | number,
  sku = 'SKU-1',
): PriceCandidate {
  const priced = book(bookOverrides);
  return {
    book: priced,
    entry: {
      priceBookId: priced.priceBookId,
      sku,
      tiers: typeof tiers === 'number' ? [{ minQty: 1, unitPrice: tiers }] : tiers,
    },
  };
}

const tiersArb: fc.Arbitrary<PriceTier[]> = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 50 })), { maxLength: 3 })
  .chain((steps) =>
    // Few distinct prices, so ties on price (decided by id) come up as often as price differences.
    fc.integer({ min: 1, max: 4 }).map((priceStep) => {
      const basePrice = priceStep * 50;
      const tiers: PriceTier[] = [{ minQty: 1, unitPrice: basePrice }];
      for (const [qtyStep, priceDrop] of steps) {
        const last = tiers[tiers.length - 1] as PriceTier;
        tiers.push({ minQty: last.minQty + qtyStep, unitPrice: Math.max(0, last.unitPrice - priceDrop) });
      }
      return tiers;
    }),
  );

const scopeArb: fc.Arbitrary<PriceBook['scope']> = fc.oneof(
  { arbitrary: fc.constant({ type: 'chain' as const }), weight: 2 },
  {
    arbitrary: fc.constantFrom('R1', 'R2').map((regionId) => ({ type: 'region' as const, regionId })),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom('S1', 'S2').map((storeId) => ({ type: 'store' as const, storeId })),
    weight: 1,
  },
);

const windowArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 1, max: 4 }))
      .map(([startOffset, length]) => ({
        startsAt: AT + startOffset * HOUR,
        endsAt: AT + (startOffset + length) * HOUR,
      })),
    weight: 2,
  },
);

export const candidateArb = (priceBookId: string): fc.Arbitrary<PriceCandidate> =>
  fc
    .record({
      scope: scopeArb,
      priority: fc.integer({ min: -1, max: 1 }),
      taxInclusive: fc.boolean(),
      window: windowArb,
      active: fc.constantFrom(undefined, undefined, undefined, undefined, true, false),
      currency: fc.constantFrom('EUR', 'EUR', 'EUR', 'EUR', 'USD'),
      version: fc.integer({ min: 1, max: 9 }),
      tiers: tiersArb,
    })
    .map(({ window, active, tiers, ...rest }) => {
      const priced: PriceBook = book({
        priceBookId,
        ...rest,
        ...(window ?? {}),
        ...(active === undefined ? {} : { active }),
      });
      const entry: PriceEntry = { priceBookId, sku: 'SKU-1', tiers };
      return { book: priced, entry };
    });

const BOOK_IDS = ['pb-a', 'pb-b', 'pb-c', 'pb-d', 'pb-e', 'pb-f'];

export const candidatesArb: fc.Arbitrary<PriceCandidate[]> = fc
  .subarray(BOOK_IDS, { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map(candidateArb)))
  .map((candidates) => [...candidates]);

export const contextArb: fc.Arbitrary<PriceContext> = fc.record({
  storeId: fc.constantFrom('S1', 'S2'),
  regionId: fc.constantFrom('R1', 'R2', undefined),
  at: fc.integer({ min: AT - 4 * HOUR, max: AT + 8 * HOUR }),

  qty: fc.integer({ min: 1, max: 20 }),
  currency: fc.constant('EUR'),
});
