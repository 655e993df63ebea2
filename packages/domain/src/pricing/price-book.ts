import { z } from 'zod';
import { MAX_AMOUNT } from '../bounds';
import { currencyCodeSchema } from '../currency-code';

/**
 * Price books as the hub stores them, the feed carries them and the store replica validates them.
 *
 * - A book has a scope (the whole chain, one region or one store), a priority, a currency, a tax-inclusive
 *   flag and an optional effective window [startsAt, endsAt) in epoch milliseconds: at exactly `endsAt` the
 *   book no longer applies. `active: false` switches a book off without deleting it; absent means active.
 * - `version` goes up every time the hub changes the book or any of its prices; the sale records it.
 * - Book ids are restricted to letters, digits and `. _ : -` so the version tag of a sale
 *   ("pb-store-1@3+pb-chain@7") can always be read back unambiguously.
 *
 * Entry rules (decided here, enforced by `PriceEntrySchema`):
 * - quantities are in the SKU's counting unit: pieces, or grams for `kg` SKUs (whose unit price is per kg);
 * - tiers are listed in strictly increasing `minQty`, the first tier starts at 1 so every quantity has a
 *   price, and a higher tier never costs more per unit than a lower one (a rising tier is a typing error);
 * - prices are whole minor units ≥ 0 in the book's currency (0 is a real price: free carrier bags).
 */

export const PRICE_BOOK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const MAX_TIERS_PER_ENTRY = 20;

const entityId = z.string().min(1).max(100);
/** Epoch milliseconds within the range JavaScript dates can represent. */
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export const PriceBookIdSchema = z
  .string()
  .regex(
    PRICE_BOOK_ID_PATTERN,
    'A price book id is 1–64 letters, digits or . _ : - and starts with a letter or digit.',
  );

export const PriceBookScopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chain') }),
  z.object({ type: z.literal('region'), regionId: entityId }),
  z.object({ type: z.literal('store'), storeId: entityId }),
]);
export type PriceBookScope = z.infer<typeof PriceBookScopeSchema>;

export const PriceBookSchema = z
  .object({
    priceBookId: PriceBookIdSchema,
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    name: z.string().trim().min(1).max(200),
    currency: currencyCodeSchema(),
    scope: PriceBookScopeSchema,
    /** Higher wins among books of the same scope. */
    priority: z.number().int().min(-1_000_000).max(1_000_000),
    taxInclusive: z.boolean(),
    startsAt: epochMs.optional(),
    endsAt: epochMs.optional(),
    active: z.boolean().optional(),
  })
  .refine((book) => book.startsAt === undefined || book.endsAt === undefined || book.startsAt < book.endsAt, {
    message: 'A price book must end after it starts.',
    path: ['endsAt'],
  });
export type PriceBook = z.infer<typeof PriceBookSchema>;

export const PriceTierSchema = z.object({
  /** Smallest quantity (pieces, or grams for kg SKUs) this tier applies from. */
  minQty: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Minor units per piece, or per kilogram for kg SKUs. */
  unitPrice: z.number().int().min(0).max(MAX_AMOUNT),
});
export type PriceTier = z.infer<typeof PriceTierSchema>;

export const PriceEntrySchema = z
  .object({
    priceBookId: PriceBookIdSchema,
    sku: entityId,
    tiers: z.array(PriceTierSchema).min(1).max(MAX_TIERS_PER_ENTRY),
  })
  .superRefine((entry, context) => {
    const first = entry.tiers[0];
    if (first !== undefined && first.minQty !== 1) {
      context.addIssue({
        code: 'custom',
        message: `The prices of SKU ${entry.sku} must start with a tier from quantity 1.`,
        path: ['tiers', 0, 'minQty'],
      });
    }
    for (let index = 1; index < entry.tiers.length; index += 1) {
      const previous = entry.tiers[index - 1] as PriceTier;
      const tier = entry.tiers[index] as PriceTier;
      if (tier.minQty <= previous.minQty) {
        context.addIssue({
          code: 'custom',
          message: `The tiers of SKU ${entry.sku} must be listed by increasing quantity, each quantity once.`,
          path: ['tiers', index, 'minQty'],
        });
      } else if (tier.unitPrice > previous.unitPrice) {
        context.addIssue({
          code: 'custom',
          message: `The tier of SKU ${entry.sku} from quantity ${tier.minQty} costs more per unit than the tier before it.`,
          path: ['tiers', index, 'unitPrice'],
        });
      }
    }
  });
export type PriceEntry = z.infer<typeof PriceEntrySchema>;
