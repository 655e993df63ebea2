import { z } from 'zod';
import { DomainError } from '../errors';
import type { Unit } from '../money';
import { BARCODE_PATTERN, parseBarcode } from './barcode';

/**
 * Persisted catalog shapes. The hub validates imports with them, the change feed carries them and the
 * store replica validates every row it writes with them, so there is exactly one definition.
 */

const entityId = z.string().min(1).max(100);
const displayName = z.string().trim().min(1).max(200);

export const CategorySchema = z
  .object({
    categoryId: entityId,
    name: displayName,
    parentId: entityId.optional(),
  })
  .refine((category) => category.parentId !== category.categoryId, {
    message: 'A category cannot be its own parent.',
    path: ['parentId'],
  });
export type Category = z.infer<typeof CategorySchema>;

export const ProductSchema = z.object({
  productId: entityId,
  name: displayName,
  brand: z.string().trim().min(1).max(100).optional(),
  categoryId: entityId.optional(),
});
export type Product = z.infer<typeof ProductSchema>;

export const SKU_UNITS = ['each', 'kg'] as const satisfies readonly Unit[];
export const SkuUnitSchema = z.enum(SKU_UNITS);

export const MAX_BARCODES_PER_SKU = 50;

export const SkuSchema = z
  .object({
    sku: entityId,
    productId: entityId,
    name: displayName,
    /** `each` counts pieces; `kg` counts grams and is priced per kilogram (see money.ts `extend`). */
    unit: SkuUnitSchema,
    taxCategory: entityId,
    /** The SKU's category first, then its ancestors up to the root (see `buildCategoryLineage`). */
    categoryIds: z.array(entityId).max(20),
    /** As printed or scanned; lookups go through `barcodeKey`, so any accepted spelling works. */
    barcodes: z
      .array(
        z.string().min(1).max(100).meta({
          pattern: BARCODE_PATTERN,
          description: 'GTIN-8/12/13/14 (check digit verified) or a store code.',
        }),
      )
      .max(MAX_BARCODES_PER_SKU),
    active: z.boolean(),
  })
  .superRefine((sku, context) => {
    if (new Set(sku.categoryIds).size !== sku.categoryIds.length) {
      context.addIssue({
        code: 'custom',
        message: `SKU ${sku.sku} lists a category twice.`,
        path: ['categoryIds'],
      });
    }
    sku.barcodes.forEach((barcode, index) => {
      try {
        parseBarcode(barcode);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        context.addIssue({ code: 'custom', message: error.message, path: ['barcodes', index] });
      }
    });
  });
export type Sku = z.infer<typeof SkuSchema>;
