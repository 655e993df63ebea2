import { z } from 'zod';

/**
 * Hub → store change feed. Every hub change a store needs gets a monotonic `hubSeq`. Downstream data is
 * state-based: an `upsert` carries the entity's whole current state, a `delete` only its key, so the feed
 * can be compacted to the newest change per (entity, key) without changing what a store ends up with.
 *
 * Entities and their `key`:
 * - `category`      categoryId
 * - `product`       productId
 * - `sku`           sku
 * - `tax_rate`      rateId
 * - `price_book`    priceBookId (header: scope, priority, window, tax-inclusive flag, version)
 * - `price`         `${priceBookId}:${sku}` (the quantity tiers of one SKU in one book)
 * - `promotion`     promotionId
 * - `store`         storeId (a node: store or warehouse)
 * - `config`        config key (scoped to one store or the whole chain)
 * - `stock_level`   `${nodeId}:${sku}` (bucket balances at that node, see StockLevelSchema)
 * Later issues add `bopis_order`, `customer` and `loyalty_account`.
 *
 * Entity `data` is validated by the schema registered for the entity (see `FEED_ENTITY_SCHEMAS`), so a
 * store never writes a row it does not understand into its replica.
 */
export const FEED_ENTITIES = [
  'category',
  'product',
  'sku',
  'tax_rate',
  'price_book',
  'price',
  'promotion',
  'store',
  'config',
  'stock_level',
] as const;
export type FeedEntity = (typeof FEED_ENTITIES)[number];

export const FeedChangeSchema = z.object({
  hubSeq: z.number().int().min(1).safe(),
  entity: z.string().min(1).max(40),
  key: z.string().min(1).max(200),
  op: z.enum(['upsert', 'delete']),
  data: z.unknown().optional(),
});
export type FeedChange = z.infer<typeof FeedChangeSchema>;

/**
 * Stock at one node as the hub last computed it. `deviceSeqs` says which of each device's events the
 * figures already reflect, so a store node can add only its own movements with a higher `deviceSeq`
 * (local stock = this snapshot + own movements not yet reflected in it).
 */
export const StockLevelSchema = z.object({
  nodeId: z.string().min(1),
  sku: z.string().min(1),
  sellable: z.number().int(),
  staged: z.number().int(),
  damaged: z.number().int(),
  qualityControl: z.number().int(),
  incoming: z.number().int(),
  /** Active reservations not yet staged (units promised to BOPIS orders still on the shelf). */
  reservedUnstaged: z.number().int().min(0),
  safetyStock: z.number().int().min(0),
  atp: z.number().int().min(0),
  deviceSeqs: z.record(z.string(), z.number().int().min(0)),
});
export type StockLevel = z.infer<typeof StockLevelSchema>;
