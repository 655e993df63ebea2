import { z } from 'zod';
import { CustomerFeedSchema } from './loyalty-protocol';
import {
  BopisOrderStateSchema,
  CategorySchema,
  PriceBookSchema,
  PriceEntrySchema,
  ProductSchema,
  PromotionSchema,
  SkuSchema,
  TaxRateSchema,
  VariableMeasureRuleSchema,
  LegalHeaderSchema,
  amountSchema,
} from '@retail/domain';

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
 * - `bopis_order`   orderId (the order's whole BopisOrderState; scoped to every store that must know it:
 *                   the one it is routed to, and those it left, so a cancel or a move reaches their tills)
 * - `staff`         staffId of a staff member HQ manages (chain scope: every till learns every HQ staff
 *                   member, and signs in only those whose `stores` include it, so a till that missed a
 *                   change of scope while offline or during a snapshot still ends up right)
 * - `customer`      customerId as the till knew it (scoped to the store that created it): the customer the hub
 *                   made of a till-created one, merged into an existing customer (`customer.customerId` is
 *                   then the survivor) or made permanent under the same id.
 * - `receiving_document` `${kind}:${documentId}` (a purchase order or shipping notice for that node)
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
  'bopis_order',
  'customer',
  'receiving_document',
  'staff',
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

const FEED_CHANGE_KEYS: ReadonlySet<string> = new Set(['hubSeq', 'entity', 'key', 'op', 'data']);

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/**
 * FeedChangeSchema's rules by hand, for the paths that check changes by the thousand (a snapshot page, a
 * feed page applied): true only for a change the schema accepts AND returns unchanged (a plain object with
 * none of the keys the schema would strip). Anything else answers false and goes through the schema, which
 * gives the error. A zod object per change cost more than applying some of them; this allocates nothing.
 */
export function isFeedChange(value: unknown): value is FeedChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || !FEED_CHANGE_KEYS.has(key)) return false;
  }
  const { hubSeq, entity, key, op } = value as Record<string, unknown>;
  return (
    typeof hubSeq === 'number' &&
    Number.isSafeInteger(hubSeq) &&
    hubSeq >= 1 &&
    isText(entity, 1, 40) &&
    isText(key, 1, 200) &&
    (op === 'upsert' || op === 'delete')
  );
}

/** FeedChangeSchema for a whole array of changes, element by element (see isFeedChange). */
export function areFeedChanges(value: unknown): value is FeedChange[] {
  if (!Array.isArray(value)) return false;
  for (const change of value) if (!isFeedChange(change)) return false;
  return true;
}

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

/**
 * A node as stores see it in the feed (`store` entity): where it is and what it does, never credentials.
 * The hub writes nodes with it and the store replica reads them with it.
 */
export const StoreNodeSchema = z.object({
  nodeId: z.string().min(1).max(100),
  code: z.string().min(1).max(40),
  name: z.string().min(1).max(200),
  kind: z.enum(['store', 'warehouse']),
  region: z.string().min(1).max(100),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  pickupEnabled: z.boolean(),
  pickCapacity: z.number().int().min(0),
  /** Ship-to-home orders may be routed here (ship-from-store, or a warehouse). Absent from older hubs. */
  shipEnabled: z.boolean().default(false),
  /** Open ship picks at once, apart from pickup picks; 0 = no limit. */
  shipPickCapacity: z.number().int().min(0).default(0),
  jurisdiction: z.string().min(1).max(100),
  currency: z.string().regex(/^[A-Z]{3}$/),
  timezone: z.string().min(1).max(100),
  active: z.boolean(),
  version: z.number().int().min(1),
});
export type StoreNode = z.infer<typeof StoreNodeSchema>;

export const STAFF_ROLES = ['cashier', 'supervisor', 'manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * A staff member HQ manages, as tills see them (`staff` entity). Only the PIN's scrypt hash travels
 * (`scrypt$N$r$p$salt$hash`, see pin-hash.ts); the hub never keeps or shows the PIN itself.
 */
export const StaffFeedSchema = z.object({
  staffId: z.string().min(1).max(100),
  staffCode: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9._-]+$/),
  name: z.string().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  pinHash: z
    .string()
    .min(1)
    .max(300)
    .regex(/^scrypt\$/),
  active: z.boolean(),
  /** Store node ids where this person may sign in; empty: every store of the chain. */
  stores: z.array(z.string().min(1).max(100)).max(500),
  version: z.number().int().min(1),
});
export type StaffFeed = z.infer<typeof StaffFeedSchema>;

/** Whether a staff member HQ manages may sign in at store `storeId` now. */
export function staffMaySignInAt(staff: StaffFeed, storeId: string): boolean {
  return staff.active && (staff.stores.length === 0 || staff.stores.includes(storeId));
}

/**
 * A purchase order or shipping notice a node is to receive (`receiving_document` entity, key
 * `${kind}:${documentId}`, scoped to that node): what the till lists at its stock screen and receives
 * against. The whole current state, so a cancel or a receipt elsewhere reaches the till as a new status.
 */
export const ReceivingDocumentSchema = z.object({
  kind: z.enum(['purchase_order', 'shipping_notice']),
  documentId: z.string().min(1).max(100),
  number: z.string().min(1).max(40),
  /** For a notice, the purchase order it delivers against. */
  purchaseOrderId: z.string().min(1).max(100).nullable(),
  supplier: z.string().min(1).max(200),
  nodeId: z.string().min(1).max(100),
  status: z.enum(['open', 'partially_received', 'received', 'received_with_variance', 'cancelled']),
  expectedAt: z.iso.datetime({ offset: true }).nullable(),
  lines: z
    .array(
      z.object({
        sku: z.string().min(1).max(100),
        expected: z.number().int().min(0),
        received: z.number().int().min(0),
      }),
    )
    .max(1000),
});
export type ReceivingDocument = z.infer<typeof ReceivingDocumentSchema>;

/**
 * Config keys HQ sets for store nodes (`config` entity, key = config key). Keys not listed here are
 * carried unvalidated (a newer hub may know more than this till); listed keys must pass their schema on
 * the hub when written and on the till when applied, so a bad value never reaches a till.
 */
export const CONFIG_KEYS = {
  lockoutAttempts: 'pos.staff.lockoutAttempts',
  lockoutMinutes: 'pos.staff.lockoutMinutes',
  sessionHours: 'pos.staff.sessionHours',
  overrideTtlSeconds: 'pos.override.ttlSeconds',
  cashOutOverrideLimit: 'pos.shift.cashOutOverrideLimit',
  labelRules: 'pos.scan.variableMeasureRules',
  discountMaxPercentCashier: 'pos.discount.maxPercent.cashier',
  discountMaxPercentSupervisor: 'pos.discount.maxPercent.supervisor',
  discountMaxPercentManager: 'pos.discount.maxPercent.manager',
  noReceiptWindowDays: 'pos.returns.noReceiptWindowDays',
  countWriteOffApprovalLimit: 'pos.stock.countWriteOffApprovalLimit',
  receiptLegalHeader: 'pos.receipt.legalHeader',
  /** ISO 3166 country of the store: how a national phone number typed at the till is read. */
  storeCountry: 'pos.store.country',
  /** Calling code national phone numbers belong to when it differs from the store's country. */
  phoneCountryCode: 'loyalty.defaultCountryCode',
  /** Store credit one store may issue per local day before the hub freezes the rest (hub-enforced). */
  storeCreditPerStoreDay: 'hub.loyalty.storeCreditPerStoreDay',
  /**
   * A late revision of a closed store day's ERP journal goes out once no late event of the day arrived
   * for this long, or at the latest the maximum delay after the first (hub-enforced, docs/integration.md).
   */
  journalSettleSeconds: 'hub.integration.journalSettleSeconds',
  journalMaxDelaySeconds: 'hub.integration.journalMaxDelaySeconds',
  /**
   * The till's offline points allowance (issue 16 point 3): each, when set, replaces the loyalty
   * programme's own figure at the stores it reaches; 0 points switches offline redemption off.
   */
  offlinePointsPerSale: 'loyalty.offline.pointsPerSale',
  offlinePointsPerDeviceDay: 'loyalty.offline.pointsPerDeviceDay',
  offlineSnapshotMaxAgeHours: 'loyalty.offline.snapshotMaxAgeHours',
  /** The settings version a till runs; written by the hub with every settings change, never by HQ. */
  settingsVersion: 'pos.settings.version',
} as const;
export type ConfigKey = (typeof CONFIG_KEYS)[keyof typeof CONFIG_KEYS];

const discountPercent = z.number().min(0).max(100);

export const CONFIG_VALUE_SCHEMAS: Readonly<Record<ConfigKey, z.ZodType>> = {
  [CONFIG_KEYS.lockoutAttempts]: z.number().int().min(1).max(100),
  [CONFIG_KEYS.lockoutMinutes]: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  [CONFIG_KEYS.sessionHours]: z.number().int().min(1).max(24),
  [CONFIG_KEYS.overrideTtlSeconds]: z.number().int().min(10).max(3600),
  /** Minor units of the store's currency. */
  [CONFIG_KEYS.cashOutOverrideLimit]: z.number().int().min(0).safe(),
  /** GS1 scale label layouts; changing them re-keys every barcode on the till. */
  [CONFIG_KEYS.labelRules]: z.array(VariableMeasureRuleSchema).max(20),
  [CONFIG_KEYS.discountMaxPercentCashier]: discountPercent,
  [CONFIG_KEYS.discountMaxPercentSupervisor]: discountPercent,
  [CONFIG_KEYS.discountMaxPercentManager]: discountPercent,
  [CONFIG_KEYS.noReceiptWindowDays]: z.number().int().min(1).max(3650),
  /** Minor units of the store's currency: a cashier's count writing off stock worth more needs a supervisor. */
  [CONFIG_KEYS.countWriteOffApprovalLimit]: amountSchema,
  /** Company, address and VAT number every receipt and Z report prints (issue 14). */
  [CONFIG_KEYS.receiptLegalHeader]: LegalHeaderSchema,
  [CONFIG_KEYS.storeCountry]: z.string().regex(/^[A-Z]{2}$/, 'A country is two capital letters (ISO 3166).'),
  [CONFIG_KEYS.phoneCountryCode]: z.string().regex(/^[1-9]\d{0,2}$/, 'A calling code is 1 to 3 digits.'),
  /** Minor units of the store's currency. */
  [CONFIG_KEYS.storeCreditPerStoreDay]: amountSchema,
  [CONFIG_KEYS.journalSettleSeconds]: z.number().int().min(0).max(3600),
  /** At most a day: a steady trickle of late events never holds a revision back longer. */
  [CONFIG_KEYS.journalMaxDelaySeconds]: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600),
  [CONFIG_KEYS.offlinePointsPerSale]: z.number().int().min(0).safe(),
  [CONFIG_KEYS.offlinePointsPerDeviceDay]: z.number().int().min(0).safe(),
  /** At most 30 days, as the programme's own snapshot age. */
  [CONFIG_KEYS.offlineSnapshotMaxAgeHours]: z
    .number()
    .int()
    .min(1)
    .max(30 * 24),
  [CONFIG_KEYS.settingsVersion]: z.object({
    version: z.number().int().min(0).safe(),
    publishedAt: z.number().int().min(0).safe(),
  }),
};

export function configValueSchema(key: string): z.ZodType | undefined {
  return Object.prototype.hasOwnProperty.call(CONFIG_VALUE_SCHEMAS, key)
    ? CONFIG_VALUE_SCHEMAS[key as ConfigKey]
    : undefined;
}

/** A config entry: its key and JSON value; values of known keys are validated with their schema. */
export const ConfigEntrySchema = z
  .object({ key: z.string().min(1).max(200), value: z.unknown() })
  .superRefine((entry, context) => {
    const schema = configValueSchema(entry.key);
    if (schema === undefined) return;
    const parsed = schema.safeParse(entry.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      context.addIssue({
        code: 'custom',
        path: ['value', ...(issue?.path ?? [])],
        message: issue?.message ?? 'invalid value',
      });
    }
  });
export type ConfigEntry = z.infer<typeof ConfigEntrySchema>;

/**
 * The one feed schema registry: entity → zod schema of its `data`. The hub validates every row with it
 * before writing it to the feed, and the store validates every row with it before applying it, so both
 * sides agree on what a valid row is. Adding an entity means adding it to FEED_ENTITIES and here.
 */
export const FEED_ENTITY_SCHEMAS = {
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
  bopis_order: BopisOrderStateSchema,
  customer: CustomerFeedSchema,
  receiving_document: ReceivingDocumentSchema,
  staff: StaffFeedSchema,
} as const satisfies { readonly [E in FeedEntity]: z.ZodType };

/** The validated `data` of an upsert of entity E. */
export type FeedEntityData<E extends FeedEntity> = z.output<(typeof FEED_ENTITY_SCHEMAS)[E]>;

export function isFeedEntity(value: string): value is FeedEntity {
  return Object.prototype.hasOwnProperty.call(FEED_ENTITY_SCHEMAS, value);
}

export function feedEntitySchema<E extends FeedEntity>(entity: E): (typeof FEED_ENTITY_SCHEMAS)[E] {
  return FEED_ENTITY_SCHEMAS[entity];
}
