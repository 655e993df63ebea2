import { z } from 'zod';
import {
  CategorySchema,
  PriceBookSchema,
  PriceEntrySchema,
  ProductSchema,
  PromotionSchema,
  SkuSchema,
  TaxRateSchema,
} from '@retail/domain';
import { FEED_ENTITIES, StockLevelSchema, type FeedEntity } from '@retail/sync';

/**
 * A node as stores see it in the feed (`store` entity): where it is and what it does, never credentials.
 * TODO(lead): move next to FeedChangeSchema in packages/sync/src/feed.ts so the store replica parses
 * `store` rows with the same schema.
 */
export const StoreNodeSchema = z.object({
  nodeId: z.string().min(1),
  code: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['store', 'warehouse']),
  region: z.string().min(1),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  pickupEnabled: z.boolean(),
  pickCapacity: z.number().int().min(0),
  jurisdiction: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  timezone: z.string().min(1),
  active: z.boolean(),
  version: z.number().int().min(1),
});
export type StoreNode = z.infer<typeof StoreNodeSchema>;

export const ConfigEntrySchema = z.object({ key: z.string().min(1), value: z.unknown() });

/**
 * The schema every feed entity's `data` must pass before the hub writes it; `appendFeedChanges` refuses
 * to publish an entity that has none.
 */
const schemas: Partial<Record<FeedEntity, z.ZodType>> = {
  category: CategorySchema,
  product: ProductSchema,
  sku: SkuSchema,
  tax_rate: TaxRateSchema,
  price_book: PriceBookSchema,
  price: PriceEntrySchema,
  promotion: PromotionSchema,
  store: StoreNodeSchema,
  config: ConfigEntrySchema,
  stock_level: StockLevelSchema,
};

export function feedEntitySchema(entity: FeedEntity): z.ZodType | undefined {
  return schemas[entity];
}

export function isFeedEntity(value: string): value is FeedEntity {
  return (FEED_ENTITIES as readonly string[]).includes(value);
}
