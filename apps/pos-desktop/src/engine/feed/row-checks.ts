import {
  isValidBarcode,
  MAX_AMOUNT,
  MAX_BARCODES_PER_SKU,
  MAX_TIERS_PER_ENTRY,
  PRICE_BOOK_ID_PATTERN,
} from '@retail/domain';
import type { FeedEntity } from '@retail/sync';

/**
 * Fast paths in front of the feed's zod schemas, for the entities a catalog is made of (a 100,000-SKU
 * snapshot is 361,292 rows, nearly all products, SKUs, prices and stock levels). Each says `true` only for
 * a row zod would accept AND return unchanged: the schema's own keys in the schema's order, nothing to
 * trim, no default to fill. Anything else (an invalid row, or a valid one zod would rewrite) answers
 * `false` and goes through the zod schema as before, which gives the error or the rewritten row. So the
 * rows written and the errors raised are the schemas' own; `row-checks.test.ts` checks that every row
 * these accept, zod accepts as it is.
 *
 * Zod costs 1.5–4 µs a row and an object per row for the garbage collector; these cost a fraction of
 * that and allocate nothing.
 */

type Row = Record<string, unknown>;

function isPlainObject(value: unknown): value is Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** `value`'s keys are exactly `required`, in that order, with `optional` keys allowed where listed. */
function hasKeysInOrder(value: Row, order: readonly string[], optional: ReadonlySet<string>): boolean {
  let position = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    while (position < order.length && order[position] !== key) {
      if (!optional.has(order[position] as string)) return false;
      position += 1;
    }
    if (position === order.length || value[key] === undefined) return false;
    position += 1;
  }
  for (; position < order.length; position += 1) if (!optional.has(order[position] as string)) return false;
  return true;
}

const NONE: ReadonlySet<string> = new Set();

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** zod's `.trim().min(1).max(max)`, for text that needs no trimming. */
function isTrimmedText(value: unknown, max: number): value is string {
  return isText(value, 1, max) && value.trim() === value;
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

const anyInt = (value: unknown) => isInt(value, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const entityId = (value: unknown) => isText(value, 1, 100);

const PRODUCT_KEYS = ['productId', 'name', 'brand', 'categoryId'];
const PRODUCT_OPTIONAL = new Set(['brand', 'categoryId']);

function isProduct(row: Row): boolean {
  return (
    hasKeysInOrder(row, PRODUCT_KEYS, PRODUCT_OPTIONAL) &&
    entityId(row.productId) &&
    isTrimmedText(row.name, 200) &&
    (row.brand === undefined || isTrimmedText(row.brand, 100)) &&
    (row.categoryId === undefined || entityId(row.categoryId))
  );
}

const SKU_KEYS = ['sku', 'productId', 'name', 'unit', 'taxCategory', 'categoryIds', 'barcodes', 'active'];

function isSku(row: Row): boolean {
  if (
    !hasKeysInOrder(row, SKU_KEYS, NONE) ||
    !entityId(row.sku) ||
    !entityId(row.productId) ||
    !isTrimmedText(row.name, 200) ||
    (row.unit !== 'each' && row.unit !== 'kg') ||
    !entityId(row.taxCategory) ||
    typeof row.active !== 'boolean'
  ) {
    return false;
  }
  const { categoryIds, barcodes } = row;
  if (!Array.isArray(categoryIds) || categoryIds.length > 20 || !categoryIds.every(entityId)) return false;
  if (new Set(categoryIds).size !== categoryIds.length) return false;
  if (!Array.isArray(barcodes) || barcodes.length > MAX_BARCODES_PER_SKU) return false;
  return barcodes.every((barcode) => isText(barcode, 1, 100) && isValidBarcode(barcode));
}

const PRICE_KEYS = ['priceBookId', 'sku', 'tiers'];
const TIER_KEYS = ['minQty', 'unitPrice'];

function isPriceEntry(row: Row): boolean {
  if (
    !hasKeysInOrder(row, PRICE_KEYS, NONE) ||
    typeof row.priceBookId !== 'string' ||
    !PRICE_BOOK_ID_PATTERN.test(row.priceBookId) ||
    !entityId(row.sku)
  ) {
    return false;
  }
  const { tiers } = row;
  if (!Array.isArray(tiers) || tiers.length < 1 || tiers.length > MAX_TIERS_PER_ENTRY) return false;
  let previous: Row | undefined;
  for (const tier of tiers) {
    if (
      !isPlainObject(tier) ||
      !hasKeysInOrder(tier, TIER_KEYS, NONE) ||
      !isInt(tier.minQty, 1, Number.MAX_SAFE_INTEGER) ||
      !isInt(tier.unitPrice, 0, MAX_AMOUNT)
    ) {
      return false;
    }
    if (previous === undefined && tier.minQty !== 1) return false;
    // Increasing quantities, each cheaper or as cheap per unit as the one before (PriceEntrySchema).
    if (previous !== undefined && !((tier.minQty as number) > (previous.minQty as number))) return false;
    if (previous !== undefined && (tier.unitPrice as number) > (previous.unitPrice as number)) return false;
    previous = tier;
  }
  return true;
}

const STOCK_KEYS = [
  'nodeId',
  'sku',
  'sellable',
  'staged',
  'damaged',
  'qualityControl',
  'incoming',
  'reservedUnstaged',
  'safetyStock',
  'atp',
  'deviceSeqs',
];

function isStockLevel(row: Row): boolean {
  if (
    !hasKeysInOrder(row, STOCK_KEYS, NONE) ||
    !isText(row.nodeId, 1, Number.MAX_SAFE_INTEGER) ||
    !isText(row.sku, 1, Number.MAX_SAFE_INTEGER) ||
    !anyInt(row.sellable) ||
    !anyInt(row.staged) ||
    !anyInt(row.damaged) ||
    !anyInt(row.qualityControl) ||
    !anyInt(row.incoming) ||
    !isInt(row.reservedUnstaged, 0, Number.MAX_SAFE_INTEGER) ||
    !isInt(row.safetyStock, 0, Number.MAX_SAFE_INTEGER) ||
    !isInt(row.atp, 0, Number.MAX_SAFE_INTEGER) ||
    !isPlainObject(row.deviceSeqs)
  ) {
    return false;
  }
  for (const device in row.deviceSeqs) {
    if (!Object.prototype.hasOwnProperty.call(row.deviceSeqs, device)) return false;
    if (!isInt(row.deviceSeqs[device], 0, Number.MAX_SAFE_INTEGER)) return false;
  }
  return true;
}

const FAST_PATHS: Partial<Record<FeedEntity, (row: Row) => boolean>> = {
  product: isProduct,
  sku: isSku,
  price: isPriceEntry,
  stock_level: isStockLevel,
};

/**
 * True when `data` is an upsert row of `entity` that its feed schema accepts unchanged, so it can be
 * written as it is. False means only "ask the schema".
 */
export function isCanonicalRow(entity: FeedEntity, data: unknown): boolean {
  const check = FAST_PATHS[entity];
  return check !== undefined && isPlainObject(data) && check(data);
}
