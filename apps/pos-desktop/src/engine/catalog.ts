import {
  DomainError,
  parseScan,
  resolvePrice,
  scanLookupKey,
  type PriceBook,
  type PriceCandidate,
  type PriceEntry,
  type PriceResolution,
} from '@retail/domain';
import type { CatalogItem, CatalogPrice } from '../shared/commands';
import { sql, type TxContext } from './context';
import type { Db } from './database';
import { readLabelRules } from './settings';

interface SkuRow {
  sku: string;
  name: string;
  unit: 'each' | 'kg';
  taxCategory: string;
  active: number;
  data: string;
}

const SKU_COLUMNS = 's.sku, s.name, s.unit, s.tax_category AS taxCategory, s.active, s.data';

/** The region of this store, from the store list the hub sends (regional price books need it). */
export function storeRegionId(db: Db, storeId: string): string | undefined {
  const row = sql(db, 'SELECT data FROM stores WHERE store_id = ?').get(storeId) as
    { data: string } | undefined;
  if (!row) return undefined;
  const region = (JSON.parse(row.data) as { region?: unknown }).region;
  return typeof region === 'string' ? region : undefined;
}

/** The price books that list `sku`, with its entries. Rows were validated by the feed on the way in. */
export function priceCandidates(db: Db, sku: string): PriceCandidate[] {
  const rows = sql(
    db,
    `SELECT b.data AS book, p.data AS entry FROM prices p JOIN price_books b ON b.price_book_id = p.price_book_id
     WHERE p.sku = ?`,
  ).all(sku) as { book: string; entry: string }[];
  return rows.map((row) => ({
    book: JSON.parse(row.book) as PriceBook,
    entry: JSON.parse(row.entry) as PriceEntry,
  }));
}

/**
 * The price the till charges for `qty` of `sku` now, or undefined when no book prices it here. A caller
 * pricing many SKUs passes the store's region, read once.
 */
export function currentPrice(
  ctx: TxContext,
  sku: string,
  qty = 1,
  regionId: string | undefined = storeRegionId(ctx.db, ctx.identity.storeId),
): PriceResolution | undefined {
  try {
    return resolvePrice(sku, priceCandidates(ctx.db, sku), {
      storeId: ctx.identity.storeId,
      regionId,
      at: ctx.nowMs,
      qty,
      currency: ctx.identity.currency,
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NO_PRICE') return undefined;
    throw error;
  }
}

function toPrice(resolution: PriceResolution | undefined): CatalogPrice | null {
  if (!resolution) return null;
  return {
    unitPrice: resolution.unitPrice.amount,
    taxInclusive: resolution.taxInclusive,
    priceBookId: resolution.priceBookId,
    priceBookVersion: resolution.priceBookVersion,
    tierMinQty: resolution.tierMinQty,
    reason: resolution.reason,
  };
}

function toItem(
  ctx: TxContext,
  row: SkuRow,
  qty = 1,
  regionId: string | undefined = storeRegionId(ctx.db, ctx.identity.storeId),
): CatalogItem {
  const barcodes = (JSON.parse(row.data) as { barcodes?: string[] }).barcodes ?? [];
  return {
    sku: row.sku,
    name: row.name,
    unit: row.unit,
    taxCategory: row.taxCategory,
    active: row.active === 1,
    barcodes,
    price: toPrice(currentPrice(ctx, row.sku, qty, regionId)),
  };
}

/** One SKU as the till shows it, with its price now; NOT_FOUND when the catalog does not have it. */
export function catalogItemBySku(ctx: TxContext, sku: string): CatalogItem {
  const row = sql(ctx.db, `SELECT ${SKU_COLUMNS} FROM skus s WHERE s.sku = ?`).get(sku) as SkuRow | undefined;
  if (!row) {
    throw new DomainError(
      'NOT_FOUND',
      `SKU ${sku} is not in this store's catalog. Check the code, or wait for the catalog to sync.`,
      { sku },
    );
  }
  return toItem(ctx, row);
}

/**
 * Turns what a cashier typed into an FTS5 query: every word must match as a prefix. Quotes and
 * operators are stripped, so user text can never be read as FTS syntax.
 */
export function searchExpression(query: string): string | undefined {
  const words = query
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, 8);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"*`).join(' ');
}

/**
 * The best `limit` matches by rank (bm25), ties by SKU code: `ORDER BY rank, sku LIMIT ?`. Run as one
 * query that joined every match to its SKU row and sorted them all with the code beside the rank (p99 three
 * times the median over 100k SKUs); now a first pass finds the rank of the `limit`-th match without any
 * join, and the second joins and sorts only the matches ranked at or above it (the page and the group tied
 * at its cut), with the same result.
 */
function rankedRows(db: Db, expression: string, limit: number): SkuRow[] {
  const cut =
    limit === 0
      ? undefined
      : (sql(db, 'SELECT rank FROM sku_search WHERE sku_search MATCH ? ORDER BY rank + 0 LIMIT 1 OFFSET ?')
          .pluck()
          .get(expression, limit - 1) as number | undefined);
  // Fewer matches than the page holds: every match is on it.
  if (cut === undefined) {
    return sql(
      db,
      `SELECT ${SKU_COLUMNS} FROM sku_search JOIN skus s ON s.rowid = sku_search.rowid
       WHERE sku_search MATCH ? ORDER BY sku_search.rank, s.sku LIMIT ?`,
    ).all(expression, limit) as SkuRow[];
  }
  return sql(
    db,
    `SELECT ${SKU_COLUMNS} FROM sku_search JOIN skus s ON s.rowid = sku_search.rowid
     WHERE sku_search MATCH ? AND sku_search.rank <= ? ORDER BY sku_search.rank, s.sku LIMIT ?`,
  ).all(expression, cut, limit) as SkuRow[];
}

export function searchCatalog(ctx: TxContext, query: string, limit: number): CatalogItem[] {
  const expression = searchExpression(query);
  if (expression === undefined) return [];
  // Ranking sorts every match: for one- or two-letter prefixes that is most of the catalog, so those
  // take the first matches in index order instead, which answers while the cashier is still typing.
  const ranked = /"[^"]{3,}"\*/.test(expression);
  const rows = ranked
    ? rankedRows(ctx.db, expression, limit)
    : (sql(
        ctx.db,
        `SELECT ${SKU_COLUMNS} FROM sku_search JOIN skus s ON s.rowid = sku_search.rowid
         WHERE sku_search MATCH ? LIMIT ?`,
      ).all(expression, limit) as SkuRow[]);
  const regionId = storeRegionId(ctx.db, ctx.identity.storeId);
  return rows.map((row) => toItem(ctx, row, 1, regionId));
}

export interface ScanOutcome {
  readonly item: CatalogItem;
  readonly scan: {
    readonly kind: 'gtin' | 'variable' | 'code';
    readonly key: string;
    readonly weightGrams: number | null;
    readonly embeddedPrice: number | null;
  };
}

/**
 * What a scan at the till is: reads the barcode with the store's label rules (a scale label carries
 * its weight or price) and finds the SKU by its canonical barcode key.
 */
export function scanBarcode(ctx: TxContext, code: string): ScanOutcome {
  const scan = parseScan(code, readLabelRules(ctx.db));
  const row = sql(
    ctx.db,
    `SELECT ${SKU_COLUMNS} FROM barcodes b JOIN skus s ON s.sku = b.sku WHERE b.barcode_key = ?`,
  ).get(scanLookupKey(scan)) as SkuRow | undefined;
  if (!row) {
    throw new DomainError(
      'UNKNOWN_BARCODE',
      `Barcode ${code.trim()} is not in this store's catalog. Key the item in by SKU or search for it by name.`,
      { barcode: code.trim() },
    );
  }
  const weightGrams = scan.kind === 'variable' ? (scan.weightGrams ?? null) : null;
  return {
    item: toItem(ctx, row, weightGrams ?? 1),
    scan: {
      kind: scan.kind,
      key: scan.key,
      weightGrams,
      embeddedPrice: scan.kind === 'variable' ? (scan.price ?? null) : null,
    },
  };
}
