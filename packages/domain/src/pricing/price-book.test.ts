import { describe, expect, it } from 'vitest';
import { PriceBookSchema, PriceEntrySchema, type PriceBook, type PriceEntry } from './price-book';

const storeBook: PriceBook = {
  priceBookId: 'pb-store-12',
  version: 3,
  name: 'Store 12 prices',
  currency: 'EUR',
  scope: { type: 'store', storeId: 'S12' },
  priority: 10,
  taxInclusive: true,
  startsAt: 1_800_000_000_000,
  endsAt: 1_800_086_400_000,
};

const entry: PriceEntry = {
  priceBookId: 'pb-store-12',
  sku: 'COLA',
  tiers: [
    { minQty: 1, unitPrice: 199 },
    { minQty: 6, unitPrice: 179 },
    { minQty: 24, unitPrice: 179 },
  ],
};

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.error?.issues.map((issue) => issue.message) ?? [];
}

describe('price-book', () => {
  describe('PriceBookSchema', () => {
    it('accepts chain, region and store books with and without windows', () => {
      expect(PriceBookSchema.parse(storeBook)).toEqual(storeBook);
      const chain = { ...storeBook, scope: { type: 'chain' }, startsAt: undefined, endsAt: undefined };
      expect(PriceBookSchema.safeParse(chain).success).toBe(true);
      const region = { ...storeBook, scope: { type: 'region', regionId: 'north' }, active: false };
      expect(PriceBookSchema.safeParse(region).success).toBe(true);
    });

    it('refuses a window that ends before or when it starts', () => {
      expect(messages(PriceBookSchema.safeParse({ ...storeBook, endsAt: storeBook.startsAt }))).toEqual([
        'A price book must end after it starts.',
      ]);
    });

    it('refuses ids that would make the version tag ambiguous, bad versions and unknown currencies', () => {
      expect(PriceBookSchema.safeParse({ ...storeBook, priceBookId: 'pb+1' }).success).toBe(false);
      expect(PriceBookSchema.safeParse({ ...storeBook, priceBookId: 'pb@1' }).success).toBe(false);
      expect(PriceBookSchema.safeParse({ ...storeBook, version: 0 }).success).toBe(false);
      expect(PriceBookSchema.safeParse({ ...storeBook, priority: 1.5 }).success).toBe(false);
      expect(messages(PriceBookSchema.safeParse({ ...storeBook, currency: 'EURO' }))).toEqual([
        'The currency must be a supported ISO 4217 code.',
      ]);
      expect(PriceBookSchema.safeParse({ ...storeBook, scope: { type: 'store' } }).success).toBe(false);
    });
  });

  describe('PriceEntrySchema', () => {
    it('accepts tiers by increasing quantity with prices that never rise', () => {
      expect(PriceEntrySchema.parse(entry)).toEqual(entry);
    });

    it('requires a first tier from quantity 1', () => {
      const result = PriceEntrySchema.safeParse({ ...entry, tiers: [{ minQty: 2, unitPrice: 100 }] });
      expect(messages(result)).toEqual(['The prices of SKU COLA must start with a tier from quantity 1.']);
    });

    it('refuses repeated or unordered quantities and rising prices', () => {
      const repeated = { ...entry, tiers: [entry.tiers[0], { minQty: 1, unitPrice: 150 }] };
      expect(messages(PriceEntrySchema.safeParse(repeated))).toEqual([
        'The tiers of SKU COLA must be listed by increasing quantity, each quantity once.',
      ]);
      const rising = { ...entry, tiers: [entry.tiers[0], { minQty: 6, unitPrice: 250 }] };
      expect(messages(PriceEntrySchema.safeParse(rising))).toEqual([
        'The tier of SKU COLA from quantity 6 costs more per unit than the tier before it.',
      ]);
    });

    it('refuses empty tiers, negative or fractional prices', () => {
      expect(PriceEntrySchema.safeParse({ ...entry, tiers: [] }).success).toBe(false);
      expect(PriceEntrySchema.safeParse({ ...entry, tiers: [{ minQty: 1, unitPrice: -1 }] }).success).toBe(
        false,
      );
      expect(PriceEntrySchema.safeParse({ ...entry, tiers: [{ minQty: 1, unitPrice: 1.5 }] }).success).toBe(
        false,
      );
    });
  });
});
