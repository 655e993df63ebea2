import { describe, expect, it } from 'vitest';
import type { PriceEntry } from './price-book';
import { PriceIndex } from './price-index';
import { AT, HOUR, book, storeContext } from './pricing.fixtures';
import { errorOf } from '../test-support';

const chain = book({ priceBookId: 'pb-chain', version: 7 });
const promo = book({
  priceBookId: 'pb-promo',
  scope: { type: 'store', storeId: 'S1' },
  startsAt: AT + HOUR,
  endsAt: AT + 2 * HOUR,
});
const entries: PriceEntry[] = [
  { priceBookId: 'pb-chain', sku: 'COLA', tiers: [{ minQty: 1, unitPrice: 199 }] },
  { priceBookId: 'pb-chain', sku: 'SOAP', tiers: [{ minQty: 1, unitPrice: 349 }] },
  { priceBookId: 'pb-promo', sku: 'COLA', tiers: [{ minQty: 1, unitPrice: 149 }] },
];

describe('price-index', () => {
  const index = PriceIndex.build([chain, promo], entries);

  describe('resolvePrice', () => {
    it('resolves from the books that list the SKU and switches with the window', () => {
      expect(index.resolvePrice('COLA', storeContext)).toMatchObject({
        priceBookId: 'pb-chain',
        priceBookVersion: 7,
      });
      expect(index.resolvePrice('COLA', { ...storeContext, at: AT + HOUR })).toMatchObject({
        priceBookId: 'pb-promo',
        unitPrice: { amount: 149, currency: 'EUR' },
      });
      expect(index.resolvePrice('SOAP', { ...storeContext, at: AT + HOUR }).considered).toHaveLength(1);
    });

    it('throws NO_PRICE for a SKU no book lists', () => {
      const error = errorOf(() => index.resolvePrice('GHOST', storeContext));
      expect(error.code).toBe('NO_PRICE');
      expect(error.message).toBe('SKU GHOST has no price at this store right now.');
    });
  });

  describe('nextPriceChangeAt', () => {
    it('reports the boundaries of the indexed books', () => {
      expect(index.nextPriceChangeAt(AT)).toBe(AT + HOUR);
      expect(index.nextPriceChangeAt(AT + HOUR)).toBe(AT + 2 * HOUR);
      expect(index.nextPriceChangeAt(AT + 2 * HOUR)).toBeUndefined();
    });
  });

  describe('build', () => {
    it('exposes the books, the priced SKU count and each SKU candidates', () => {
      expect(index.books.map((b) => b.priceBookId)).toEqual(['pb-chain', 'pb-promo']);
      expect(index.skuCount).toBe(2);
      expect(index.candidatesFor('COLA')).toHaveLength(2);
      expect(index.candidatesFor('GHOST')).toEqual([]);
    });

    it('refuses a repeated book, a SKU priced twice in one book and prices for an unknown book', () => {
      expect(errorOf(() => PriceIndex.build([chain, chain], [])).code).toBe('CONFLICT');
      const twice = errorOf(() =>
        PriceIndex.build([chain], [entries[0] as PriceEntry, entries[0] as PriceEntry]),
      );
      expect(twice.code).toBe('CONFLICT');
      expect(twice.message).toBe('SKU COLA has two prices in price book pb-chain; keep one entry per SKU.');
      const orphan = errorOf(() => PriceIndex.build([chain], [entries[2] as PriceEntry]));
      expect(orphan.code).toBe('INVALID_INPUT');
      expect(orphan.message).toBe('Prices for SKU COLA refer to price book pb-promo, which does not exist.');
    });

    it('builds 100,000 SKUs in four books', () => {
      const books = [
        book({ priceBookId: 'pb-chain' }),
        book({ priceBookId: 'pb-region', scope: { type: 'region', regionId: 'R1' } }),
        book({ priceBookId: 'pb-store', scope: { type: 'store', storeId: 'S1' } }),
        book({ priceBookId: 'pb-promo', scope: { type: 'store', storeId: 'S1' }, priority: 5, endsAt: AT }),
      ];
      const many: PriceEntry[] = [];
      for (let n = 0; n < 100_000; n += 1) {
        for (const priced of books) {
          if (priced.priceBookId !== 'pb-chain' && n % 3 !== 0) continue;
          many.push({
            priceBookId: priced.priceBookId,
            sku: `SKU-${n}`,
            tiers: [{ minQty: 1, unitPrice: 100 + (n % 7) }],
          });
        }
      }
      const big = PriceIndex.build(books, many);
      expect(big.skuCount).toBe(100_000);
      expect(big.resolvePrice('SKU-99999', storeContext).priceBookId).toBe('pb-store');
      expect(big.resolvePrice('SKU-99998', storeContext).priceBookId).toBe('pb-chain');
    });
  });
});
