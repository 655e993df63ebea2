import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money } from '../money';
import type { PriceBook } from './price-book';
import { AT, candidate, candidateArb, candidatesArb, contextArb, storeContext } from './pricing.fixtures';
import {
  resolvePrice,
  tierForQuantity,
  type PriceCandidate,
  type PriceContext,
  type PriceResolution,
} from './resolve-price';
import { errorOf } from '../test-support';

function outcome(candidates: readonly PriceCandidate[], context: PriceContext): PriceResolution | string {
  try {
    return resolvePrice('SKU-1', candidates, context);
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/** Independent model of the rules: filter by the written conditions, then take the lexicographic best. */
function modelWinner(candidates: readonly PriceCandidate[], context: PriceContext): string | undefined {
  const specificity = (book: PriceBook) =>
    book.scope.type === 'store' ? 3 : book.scope.type === 'region' ? 2 : 1;
  const eligible = candidates
    .filter(({ book }) => book.active !== false && book.currency === context.currency)
    .filter(({ book }) =>
      book.scope.type === 'chain'
        ? true
        : book.scope.type === 'region'
          ? book.scope.regionId === context.regionId
          : book.scope.storeId === context.storeId,
    )
    .filter(
      ({ book }) => (book.startsAt ?? -Infinity) <= context.at && context.at < (book.endsAt ?? Infinity),
    )
    .map(({ book, entry }) => ({
      book,
      price: [...entry.tiers].reverse().find((tier) => tier.minQty <= context.qty)?.unitPrice ?? Infinity,
    }));
  let best: (typeof eligible)[number] | undefined;
  for (const current of eligible) {
    const key = (c: typeof current) => [specificity(c.book), c.book.priority, -c.price] as const;
    if (best === undefined) {
      best = current;
      continue;
    }
    const [a, b] = [key(current), key(best)];
    const better =
      a[0] !== b[0]
        ? a[0] > b[0]
        : a[1] !== b[1]
          ? a[1] > b[1]
          : a[2] !== b[2]
            ? a[2] > b[2]
            : current.book.priceBookId < best.book.priceBookId;
    if (better) best = current;
  }
  return best?.book.priceBookId;
}

describe('resolve-price', () => {
  describe('resolvePrice', () => {
    it('prefers the store book over the region book over the chain book', () => {
      const candidates = [
        candidate({ priceBookId: 'pb-chain', priority: 100 }, 100),
        candidate({ priceBookId: 'pb-region', scope: { type: 'region', regionId: 'R1' }, priority: 50 }, 90),
        candidate({ priceBookId: 'pb-store', scope: { type: 'store', storeId: 'S1' }, version: 3 }, 120),
      ];
      const result = resolvePrice('SKU-1', candidates, storeContext);
      expect(result).toMatchObject({
        sku: 'SKU-1',
        unitPrice: money(120, 'EUR'),
        priceBookId: 'pb-store',
        priceBookVersion: 3,
        tierMinQty: 1,
        taxInclusive: true,
      });
      expect(result.reason).toBe(
        'EUR 1.20 from price book pb-store v3 (store S1, tier from qty 1): it wins over pb-region because ' +
          'store S1 is more specific than region R1.',
      );
      expect(result.considered).toEqual([
        { priceBookId: 'pb-store', eligible: true, why: 'Chosen: EUR 1.20 from qty 1.' },
        {
          priceBookId: 'pb-region',
          eligible: true,
          why: 'Applies at EUR 0.90, but pb-store wins: store S1 is more specific than region R1.',
        },
        {
          priceBookId: 'pb-chain',
          eligible: true,
          why: 'Applies at EUR 1.00, but pb-store wins: store S1 is more specific than whole chain.',
        },
      ]);
    });

    it('breaks a scope tie by priority, then by the lower price, then by id', () => {
      const byPriority = resolvePrice(
        'SKU-1',
        [
          candidate({ priceBookId: 'pb-low', priority: 1 }, 50),
          candidate({ priceBookId: 'pb-high', priority: 2 }, 99),
        ],
        storeContext,
      );
      expect(byPriority.priceBookId).toBe('pb-high');
      expect(byPriority.reason).toMatch(/because priority 2 is higher than 1\.$/);

      const byPrice = resolvePrice(
        'SKU-1',
        [candidate({ priceBookId: 'pb-a' }, 250), candidate({ priceBookId: 'pb-b' }, 199)],
        storeContext,
      );
      expect(byPrice.priceBookId).toBe('pb-b');
      expect(byPrice.reason).toMatch(/because EUR 1.99 is lower than EUR 2.50\.$/);

      const byId = resolvePrice(
        'SKU-1',
        [candidate({ priceBookId: 'pb-b' }, 100), candidate({ priceBookId: 'pb-a' }, 100)],
        storeContext,
      );
      expect(byId.priceBookId).toBe('pb-a');
      expect(byId.reason).toMatch(/scope, priority and price are equal and pb-a comes first by id\.$/);
    });

    it('picks the tier with the highest minimum quantity not above the quantity', () => {
      const tiered = [
        candidate({ priceBookId: 'pb' }, [
          { minQty: 1, unitPrice: 100 },
          { minQty: 6, unitPrice: 90 },
          { minQty: 12, unitPrice: 80 },
        ]),
      ];
      const at = (qty: number) => resolvePrice('SKU-1', tiered, { ...storeContext, qty });
      expect([1, 5, 6, 11, 12, 500].map((qty) => at(qty).unitPrice.amount)).toEqual([
        100, 100, 90, 90, 80, 80,
      ]);
      expect(at(12).tierMinQty).toBe(12);
      expect(at(1).reason).toBe(
        'EUR 1.00 from price book pb v1 (whole chain, tier from qty 1): the only price book that applies here now.',
      );
    });

    it('compares prices at the tier each book reaches for the quantity', () => {
      const candidates = [
        candidate({ priceBookId: 'pb-flat' }, 95),
        candidate({ priceBookId: 'pb-tiered' }, [
          { minQty: 1, unitPrice: 100 },
          { minQty: 10, unitPrice: 90 },
        ]),
      ];
      expect(resolvePrice('SKU-1', candidates, { ...storeContext, qty: 9 }).priceBookId).toBe('pb-flat');
      expect(resolvePrice('SKU-1', candidates, { ...storeContext, qty: 10 }).priceBookId).toBe('pb-tiered');
    });

    it('explains every book that does not apply and throws NO_PRICE when none does', () => {
      const candidates = [
        candidate({ priceBookId: 'pb-off', active: false }, 1),
        candidate({ priceBookId: 'pb-usd', currency: 'USD' }, 1),
        candidate({ priceBookId: 'pb-other-store', scope: { type: 'store', storeId: 'S9' } }, 1),
        candidate({ priceBookId: 'pb-other-region', scope: { type: 'region', regionId: 'R9' } }, 1),
        candidate({ priceBookId: 'pb-future', startsAt: AT + 1 }, 1),
        candidate({ priceBookId: 'pb-past', endsAt: AT }, 1),
      ];
      const error = errorOf(() => resolvePrice('SKU-1', candidates, storeContext));
      expect(error.code).toBe('NO_PRICE');
      expect(error.message).toBe('SKU SKU-1 has no price at this store right now.');
      expect(error.details?.considered).toEqual([
        { priceBookId: 'pb-future', eligible: false, why: 'Starts at 2027-01-15T08:00:00.001Z.' },
        { priceBookId: 'pb-off', eligible: false, why: 'Switched off by HQ.' },
        {
          priceBookId: 'pb-other-region',
          eligible: false,
          why: 'For region R9 only; this store is in region R1.',
        },
        { priceBookId: 'pb-other-store', eligible: false, why: 'For store S9 only.' },
        { priceBookId: 'pb-past', eligible: false, why: 'Ended at 2027-01-15T08:00:00.000Z.' },
        { priceBookId: 'pb-usd', eligible: false, why: 'Priced in USD; this sale is in EUR.' },
      ]);
      expect(errorOf(() => resolvePrice('SKU-1', [], storeContext)).code).toBe('NO_PRICE');
    });

    it('does not apply a region book to a store without a region', () => {
      const regional = [candidate({ priceBookId: 'pb-r', scope: { type: 'region', regionId: 'R1' } }, 1)];
      const error = errorOf(() => resolvePrice('SKU-1', regional, { ...storeContext, regionId: undefined }));
      expect(error.details?.considered).toEqual([
        { priceBookId: 'pb-r', eligible: false, why: 'For region R1 only; this store has no region.' },
      ]);
    });

    it('skips a book whose tiers do not reach down to the quantity', () => {
      const unreachable = candidate({ priceBookId: 'pb-bulk' }, [{ minQty: 10, unitPrice: 1 }]);
      const empty = candidate({ priceBookId: 'pb-empty' }, []);
      const error = errorOf(() => resolvePrice('SKU-1', [unreachable, empty], { ...storeContext, qty: 3 }));
      expect(error.details?.considered).toEqual([
        {
          priceBookId: 'pb-bulk',
          eligible: false,
          why: 'Its lowest tier starts at qty 10; this line has 3.',
        },
        { priceBookId: 'pb-empty', eligible: false, why: 'Lists no prices for this SKU.' },
      ]);
    });

    it('returns the tax-inclusive flag and version of the winning book', () => {
      const result = resolvePrice(
        'SKU-1',
        [candidate({ priceBookId: 'pb-net', taxInclusive: false, version: 7, currency: 'JPY' }, 1500)],
        { ...storeContext, currency: 'JPY' },
      );
      expect(result).toMatchObject({
        taxInclusive: false,
        priceBookVersion: 7,
        unitPrice: money(1500, 'JPY'),
      });
      expect(result.reason).toMatch(/^JPY 1500 from price book pb-net v7/);
    });

    it('refuses malformed contexts and mismatched candidates with INVALID_INPUT', () => {
      const ok = [candidate({ priceBookId: 'pb' }, 100)];
      const cases: [string, () => unknown, RegExp][] = [
        ['sku', () => resolvePrice('', ok, storeContext), /A SKU is needed/],
        ['store', () => resolvePrice('SKU-1', ok, { ...storeContext, storeId: '' }), /A store is needed/],
        ['time', () => resolvePrice('SKU-1', ok, { ...storeContext, at: 1.5 }), /whole epoch milliseconds/],
        ['zero qty', () => resolvePrice('SKU-1', ok, { ...storeContext, qty: 0 }), /at least 1 .* got 0/],
        ['fraction', () => resolvePrice('SKU-1', ok, { ...storeContext, qty: 0.5 }), /got 0.5/],
        ['currency', () => resolvePrice('SKU-1', ok, { ...storeContext, currency: 'XXX' }), /"XXX" is not/],
        [
          'other sku',
          () => resolvePrice('SKU-2', ok, storeContext),
          /were offered as book pb's prices for SKU SKU-2/,
        ],
        [
          'other book',
          () =>
            resolvePrice(
              'SKU-1',
              [{ ...candidate({ priceBookId: 'pb' }, 1), book: candidate({ priceBookId: 'x' }, 1).book }],
              storeContext,
            ),
          /in book pb were offered as book x's prices/,
        ],
        ['twice', () => resolvePrice('SKU-1', [...ok, ...ok], storeContext), /listed twice for SKU SKU-1/],
      ];
      for (const [, action, message] of cases) {
        const error = errorOf(action);
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toMatch(message);
      }
    });

    it('fails loudly with INTERNAL on a scope type this version does not know', () => {
      const alien = candidate(
        { priceBookId: 'pb', scope: { type: 'planet' } as unknown as PriceBook['scope'] },
        1,
      );
      expect(errorOf(() => resolvePrice('SKU-1', [alien], storeContext)).code).toBe('INTERNAL');
    });

    it('applies a book from startsAt up to but not including endsAt', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.integer({ min: 1, max: 2 ** 30 }),
          fc.boolean(),
          (startsAt, length, withFallback) => {
            const endsAt = startsAt + length;
            const promo = candidate({ priceBookId: 'pb-promo', startsAt, endsAt, priority: 5 }, 80);
            const candidates = withFallback ? [promo, candidate({ priceBookId: 'pb-base' }, 100)] : [promo];
            const winnerAt = (at: number) => outcome(candidates, { ...storeContext, at });
            const inside = (at: number) => (winnerAt(at) as PriceResolution).priceBookId;
            const outside = withFallback ? 'pb-base' : 'NO_PRICE';
            const idOf = (result: PriceResolution | string) =>
              typeof result === 'string' ? result : result.priceBookId;
            expect(idOf(winnerAt(startsAt - 1))).toBe(outside);
            expect(inside(startsAt)).toBe('pb-promo');
            expect(inside(endsAt - 1)).toBe('pb-promo');
            expect(idOf(winnerAt(endsAt))).toBe(outside);
          },
        ),
      );
    });

    it('does not depend on the order of the candidates', () => {
      fc.assert(
        fc.property(
          candidatesArb.chain((candidates) =>
            fc.tuple(
              fc.constant(candidates),
              fc.shuffledSubarray(candidates, { minLength: candidates.length }),
            ),
          ),
          contextArb,
          ([candidates, shuffled], context) => {
            expect(outcome(shuffled, context)).toEqual(outcome(candidates, context));
          },
        ),
        { numRuns: 300 },
      );
    });

    it('agrees with an independent model of the precedence rules', () => {
      fc.assert(
        fc.property(candidatesArb, contextArb, (candidates, context) => {
          const result = outcome(candidates, context);
          const expected = modelWinner(candidates, context);
          expect(typeof result === 'string' ? undefined : result.priceBookId).toBe(expected);
          if (typeof result !== 'string') {
            expect(result.considered).toHaveLength(candidates.length);
            expect(result.considered[0]?.priceBookId).toBe(expected);
          }
        }),
        { numRuns: 400 },
      );
    });

    it('keeps the winner when a less specific or lower-priority book is added', () => {
      fc.assert(
        fc.property(
          candidatesArb,
          contextArb,
          candidateArb('pb-new'),
          fc.boolean(),
          (candidates, context, added, sameScope) => {
            const before = outcome(candidates, context);
            fc.pre(typeof before !== 'string');
            const winner = before.considered[0]?.priceBookId;
            const winnerBook = candidates.find(({ book }) => book.priceBookId === winner)?.book as PriceBook;
            const weaker: PriceBook = sameScope
              ? { ...added.book, scope: winnerBook.scope, priority: winnerBook.priority - 1 }
              : {
                  ...added.book,
                  scope:
                    winnerBook.scope.type === 'store'
                      ? { type: 'region', regionId: context.regionId ?? 'R1' }
                      : { type: 'chain' },
                };
            fc.pre(winnerBook.scope.type !== 'chain' || sameScope);
            const after = outcome([...candidates, { ...added, book: weaker }], context);
            expect(typeof after === 'string' ? after : after.priceBookId).toBe(before.priceBookId);
          },
        ),
      );
    });
  });

  describe('tierForQuantity', () => {
    it('returns undefined below the first tier', () => {
      expect(tierForQuantity([{ minQty: 5, unitPrice: 1 }], 4)).toBeUndefined();
      expect(tierForQuantity([{ minQty: 5, unitPrice: 1 }], 5)).toEqual({ minQty: 5, unitPrice: 1 });
    });
  });
});
