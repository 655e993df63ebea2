import type { StockLevel } from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';

/** Tables that keep each hub row's data exactly as validated, with the entity they hold and its key. */
const DATA_TABLES = [
  { entity: 'category', table: 'categories', key: 'category_id' },
  { entity: 'product', table: 'products', key: 'product_id' },
  { entity: 'sku', table: 'skus', key: 'sku' },
  { entity: 'tax_rate', table: 'tax_rates', key: 'rate_id' },
  { entity: 'price_book', table: 'price_books', key: 'price_book_id' },
  { entity: 'price', table: 'prices', key: 'feed_key' },
  { entity: 'promotion', table: 'promotions', key: 'promotion_id' },
  { entity: 'store', table: 'stores', key: 'store_id' },
  { entity: 'config', table: 'config', key: 'key' },
] as const;

interface StockRow {
  feedKey: string;
  nodeId: string;
  sku: string;
  sellable: number;
  staged: number;
  damaged: number;
  qualityControl: number;
  incoming: number;
  reservedUnstaged: number;
  safetyStock: number;
  atp: number;
  deviceSeqs: string;
}

/**
 * The replica's hub data as the feed delivered it, keyed `${entity}:${key}` (the key of the feed row):
 * what sync tests compare with the hub's rows for this store's scope, and what support reads when a till
 * disagrees with HQ.
 */
export function readReplica(db: Db): Map<string, unknown> {
  const replica = new Map<string, unknown>();
  for (const { entity, table, key } of DATA_TABLES) {
    const rows = sql(db, `SELECT ${key} AS key, data FROM ${table}`).all() as { key: string; data: string }[];
    for (const row of rows) replica.set(`${entity}:${row.key}`, JSON.parse(row.data) as unknown);
  }
  const levels = sql(
    db,
    `SELECT feed_key AS feedKey, node_id AS nodeId, sku, sellable, staged, damaged, quality_control AS qualityControl,
       incoming, reserved_unstaged AS reservedUnstaged, safety_stock AS safetyStock, atp, device_seqs AS deviceSeqs
     FROM stock_levels`,
  ).all() as StockRow[];
  for (const { feedKey, deviceSeqs, ...level } of levels) {
    const value: StockLevel = { ...level, deviceSeqs: JSON.parse(deviceSeqs) as Record<string, number> };
    replica.set(`stock_level:${feedKey}`, value);
  }
  return replica;
}
