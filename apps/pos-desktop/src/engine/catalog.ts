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
    throw new DomainError('NOT_FOUND', 'catalog.skuNotStoreCatalog', { sku }, { sku });
  }
  return toItem(ctx, row);
}

/** The words of what a cashier typed: quotes and operators are dropped, so none is read as FTS syntax. */
function searchWords(query: string): string[] {
  return query
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, 8);
}

/** What a cashier typed as an FTS5 query: every word must match as a prefix. */
export function searchExpression(query: string): string | undefined {
  const words = searchWords(query);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"*`).join(' ');
}

/** How many index matches one tier of a search reads before sorting them: the bound on its work. */
export const SEARCH_CANDIDATES = 500;

/** The SKUs whose code is the query or whose barcode it scans as: what a cashier keying a code expects. */
function exactCodeRows(ctx: TxContext, query: string): SkuRow[] {
  const code = query.trim();
  if (code.length === 0) return [];
  let barcodeKey: string | null = null;
  if (/^\d{6,14}$/.test(code)) {
    try {
      barcodeKey = scanLookupKey(parseScan(code, readLabelRules(ctx.db)));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return sql(
    ctx.db,
    `SELECT ${SKU_COLUMNS} FROM skus s
     WHERE s.sku IN (?, ?) OR s.sku IN (SELECT sku FROM barcodes WHERE barcode_key = ?)
     ORDER BY s.name COLLATE NOCASE, s.sku`,
  ).all(code, code.toUpperCase(), barcodeKey) as SkuRow[];
}

/**
 * One tier of a search: at most SEARCH_CANDIDATES matches of `expression` in index order, sorted by
 * name (case folded) and SKU code, the first `limit` of them.
 */
function tierRows(db: Db, expression: string, limit: number): SkuRow[] {
  return sql(
    db,
    `SELECT ${SKU_COLUMNS} FROM (SELECT rowid FROM sku_search WHERE sku_search MATCH ? LIMIT ${SEARCH_CANDIDATES}) m
     JOIN skus s ON s.rowid = m.rowid ORDER BY s.name COLLATE NOCASE, s.sku LIMIT ?`,
  ).all(expression, limit) as SkuRow[];
}

/**
 * A cashier's product search, in the order a cashier expects (docs/decisions/0010-search-order.md):
 * 1. the SKU whose code is the query, or whose barcode the query is;
 * 2. names whose first word starts with the query's first word (every other word matching a prefix too);
 * 3. every other SKU whose name or code has a word starting with each query word;
 * within a tier by name, then SKU code. No relevance score is computed: each tier reads at most
 * SEARCH_CANDIDATES index matches before sorting, so a query costs the same over 1,000 or 100,000 SKUs;
 * past that bound a tier shows the first matches in index order, sorted, and the cashier types on.
 */
export function searchCatalog(ctx: TxContext, query: string, limit: number): CatalogItem[] {
  const prefixes = searchWords(query).map((word) => `"${word}"*`);
  if (prefixes.length === 0) return [];
  const everyWord = prefixes.join(' AND ');
  const nameStarts = `{name} : ^ ${prefixes[0]}`;
  const exact = exactCodeRows(ctx, query);
  const rows = exact.slice(0, limit);
  const shown = new Set(exact.map((row) => row.sku));
  for (const tier of [`(${nameStarts}) AND ${everyWord}`, `(${everyWord}) NOT (${nameStarts})`]) {
    if (rows.length >= limit) break;
    // An exact code can sit in a later tier too: read enough to fill the page without it.
    const found = tierRows(ctx.db, tier, limit - rows.length + exact.length);
    for (const row of found) if (rows.length < limit && !shown.has(row.sku)) rows.push(row);
  }
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
      'catalog.barcodeNotStoreCatalog',
      { code: code.trim() },
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
