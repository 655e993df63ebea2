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
 * The rowids of the best `limit` matches, by rank (bm25), ties by SKU code: exactly
 * `ORDER BY rank, sku LIMIT ?`. Sorting every match with the SKU code beside its rank made SQLite
 * evaluate the rank per row outside FTS5 and join each match first (p99 25 ms over 100k SKUs); FTS5
 * sorts by rank itself, so the matches are read in rank order and only the group tied at the cut is
 * joined to its SKU codes and sorted by them.
 */
function rankedMatches(db: Db, expression: string, limit: number): number[] {
  // [rowid, group]: matches of equal rank share a group number, groups numbered in rank order.
  const candidates: [number, number][] = [];
  let group = -1;
  let groupRank: number | undefined;
  const matches = sql(
    db,
    'SELECT rowid, rank FROM sku_search WHERE sku_search MATCH ? ORDER BY rank',
  ).iterate(expression) as IterableIterator<{ rowid: number; rank: number }>;
  for (const match of matches) {
    if (match.rank !== groupRank) {
      // Every group before this one fills the page: what follows ranks below all of them.
      if (candidates.length >= limit) break;
      group += 1;
      groupRank = match.rank;
    }
    candidates.push([match.rowid, group]);
  }
  if (candidates.length === 0) return [];
  return sql(
    db,
    `SELECT s.rowid FROM json_each(?) c JOIN skus s ON s.rowid = json_extract(c.value, '$[0]')
     ORDER BY json_extract(c.value, '$[1]'), s.sku LIMIT ?`,
  )
    .pluck()
    .all(JSON.stringify(candidates), limit) as number[];
}

export function searchCatalog(ctx: TxContext, query: string, limit: number): CatalogItem[] {
  const expression = searchExpression(query);
  if (expression === undefined) return [];
  // Ranking sorts every match: for one- or two-letter prefixes that is most of the catalog, so those
  // take the first matches in index order instead, which answers while the cashier is still typing.
  const ranked = /"[^"]{3,}"\*/.test(expression);
  let rows: SkuRow[];
  if (ranked) {
    const rowids = rankedMatches(ctx.db, expression, limit);
    const byRowid = sql(ctx.db, `SELECT ${SKU_COLUMNS} FROM skus s WHERE s.rowid = ?`);
    rows = rowids.map((rowid) => byRowid.get(rowid) as SkuRow);
  } else {
    rows = sql(
      ctx.db,
      `SELECT ${SKU_COLUMNS} FROM sku_search JOIN skus s ON s.rowid = sku_search.rowid
       WHERE sku_search MATCH ? LIMIT ?`,
    ).all(expression, limit) as SkuRow[];
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
