import { z } from 'zod';
import { command, id, isoTime, minor, quantity } from './command-kit';
import { LocalStockSchema } from './stock-commands';

// The catalog at the till: search, price checks, scans.
// Part of the command map, assembled in commands.ts.

export const CatalogPriceSchema = z.object({
  /** Per piece, or per kilogram for kg SKUs. */
  unitPrice: minor,
  taxInclusive: z.boolean(),
  priceBookId: z.string(),
  priceBookVersion: z.number().int(),
  tierMinQty: quantity,
  reason: z.string(),
});
export type CatalogPrice = z.infer<typeof CatalogPriceSchema>;

export const CatalogItemSchema = z.object({
  sku: id,
  name: z.string(),
  unit: z.enum(['each', 'kg']),
  taxCategory: z.string(),
  active: z.boolean(),
  barcodes: z.array(z.string()),
  /** The price right now for one piece (or, after a scale label scan, for the weighed quantity); null if unpriced. */
  price: CatalogPriceSchema.nullable(),
});
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

export const CATALOG_COMMANDS = {
  'catalog-search': command({
    auth: 'cashier',
    summary: 'Find products by words of their name or SKU code (prefix match), best matches first.',
    request: z
      .object({ query: z.string().max(100), limit: z.number().int().min(1).max(50).default(20) })
      .strict(),
    response: z.object({ items: z.array(CatalogItemSchema) }),
  }),
  'price-check': command({
    auth: 'cashier',
    summary:
      'Price check without a sale: an item by scanned code or SKU, its price now, the promotions in force that concern it, and its stock here.',
    request: z
      .object({ code: z.string().trim().min(1).max(100).optional(), sku: id.optional() })
      .strict()
      .refine((input) => (input.code === undefined) !== (input.sku === undefined), {
        message: 'Give either a scanned code or a SKU.',
      }),
    response: z.object({
      item: CatalogItemSchema,
      promotions: z.array(
        z.object({
          promotionId: id,
          name: z.string(),
          /** What the rule does, in words ("3 for €5.00"). */
          description: z.string(),
          /** Until when it runs (null: no end). */
          endsAt: isoTime.nullable(),
        }),
      ),
      /** This store's stock of the item, from the till's own copy. */
      stock: LocalStockSchema,
    }),
  }),
  'price-check-nearby': command({
    auth: 'cashier',
    summary:
      "A price check's stock at the chain's other stores, nearest first, asked of the hub while it is online; offline (or the hub not answering) it says so instead.",
    request: z.object({ sku: id }).strict(),
    response: z.discriminatedUnion('source', [
      z.object({
        source: z.literal('hub'),
        /** By straight-line distance from this store, or by region when the hub has no locations. */
        orderedBy: z.enum(['distance', 'region']),
        stores: z.array(
          z.object({
            storeId: id,
            code: z.string(),
            name: z.string(),
            region: z.string(),
            distanceMetres: z.number().int().min(0).nullable(),
            onHand: quantity,
            /** What the store can still sell (less units promised to orders and its safety stock). */
            available: quantity,
          }),
        ),
      }),
      z.object({
        source: z.literal('none'),
        /** `offline`: the hub is not reachable now; `refused`: the hub answered with the message. */
        reason: z.enum(['offline', 'refused']),
        message: z.string(),
      }),
    ]),
  }),
  'catalog-scan': command({
    auth: 'cashier',
    summary: 'Look up a scanned or keyed barcode, including scale labels with an embedded weight or price.',
    request: z.object({ code: z.string().trim().min(1).max(100) }).strict(),
    response: z.object({
      item: CatalogItemSchema,
      scan: z.object({
        kind: z.enum(['gtin', 'variable', 'code']),
        key: z.string(),
        weightGrams: quantity.nullable(),
        embeddedPrice: minor.nullable(),
      }),
    }),
  }),
} as const;
