import { DomainError, SkuSchema, skuBarcodeKey, type Sku, type VariableMeasureRule } from '@retail/domain';
import { CONFIG_KEYS, FEED_ENTITY_SCHEMAS, type FeedEntity, type FeedEntityData } from '@retail/sync';
import type { z } from 'zod';
import { sql } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import { removeBopisOrder, upsertBopisOrder } from '../bopis/bopis-replica';
import { applyCustomerFeed } from '../loyalty/loyalty-cache';
import { applyHubStaff, withdrawHubStaff } from '../staff/hub-staff';
import { reflectedOwnSeq, type OwnDevice } from '../sync/device-succession';
import { UpsertTable, type RowWriter } from './row-writer';
import type { SearchIndexBatch } from './search-index';

export interface ApplyState {
  readonly db: Db;
  readonly identity: NodeIdentity;
  /** SKUs whose local stock at this node changed. */
  readonly touchedSkus: Set<string>;
  /** Set when the label rules changed: barcodes are re-keyed once at the end of the page. */
  labelRulesChanged: boolean;
  labelRules: readonly VariableMeasureRule[];
  /** Applying a snapshot into a reset replica: nothing exists yet, so there is nothing to clean up. */
  readonly fresh?: boolean;
  /** The devices this till has been, for how far a stock figure reflects its own movements. */
  readonly ownDevices: readonly OwnDevice[];
  readonly nowMs: number;
  /** The product search index, brought up to date with the page's SKUs at its end. */
  readonly searchIndex: SearchIndexBatch;
  /** Where the catalog rows go (held for multi-row statements, or written one by one). */
  readonly rows: RowWriter;
}

export interface EntityApplier {
  readonly schema: z.ZodType;
  /** The feed key the entity's own ids give; a change whose key disagrees is refused. */
  keyOf(data: never): string;
  upsert(state: ApplyState, data: never, json: string): void;
  remove(state: ApplyState, key: string): void;
  /** Its upserts write through `ApplyState.rows` only, so they may be held for a multi-row statement. */
  readonly batched: boolean;
}

/** Binds an entity's table writes to its schema in the shared registry (one schema for hub and store). */
function applier<E extends FeedEntity>(
  entity: E,
  spec: {
    keyOf: (data: FeedEntityData<E>) => string;
    upsert: (state: ApplyState, data: FeedEntityData<E>, json: string) => void;
    remove: (state: ApplyState, key: string) => void;
    batched?: boolean;
  },
): EntityApplier {
  return { schema: FEED_ENTITY_SCHEMAS[entity], batched: false, ...spec } as unknown as EntityApplier;
}

export function barcodeKeyFor(barcode: string, rules: readonly VariableMeasureRule[]): string {
  return skuBarcodeKey(barcode, rules);
}

/**
 * The catalog tables the feed writes most, row by row or many rows a statement (row-writer.ts). Those
 * with an `INSERT OR FAIL` are written by it first while their keys are new (no statement journal); the
 * SKUs' search triggers make SQLite keep a statement journal for any insert into `skus`, so they have none.
 */
export const BARCODE_ROWS = new UpsertTable(
  'INSERT OR REPLACE INTO barcodes (barcode_key, sku, barcode)',
  3,
  '',
  'INSERT OR FAIL INTO barcodes (barcode_key, sku, barcode)',
);
const PRODUCT_ROWS = new UpsertTable(
  'INSERT INTO products (product_id, name, category_id, data)',
  4,
  `ON CONFLICT (product_id) DO UPDATE SET name = excluded.name, category_id = excluded.category_id,
     data = excluded.data`,
  'INSERT OR FAIL INTO products (product_id, name, category_id, data)',
);
const SKU_ROWS = new UpsertTable(
  'INSERT INTO skus (sku, product_id, name, unit, tax_category, active, data)',
  7,
  `ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id, name = excluded.name, unit = excluded.unit,
     tax_category = excluded.tax_category, active = excluded.active, data = excluded.data`,
);
const PRICE_ROWS = new UpsertTable(
  'INSERT INTO prices (price_book_id, sku, feed_key, tiers, data)',
  5,
  'ON CONFLICT (sku, price_book_id) DO UPDATE SET tiers = excluded.tiers, data = excluded.data',
  'INSERT OR FAIL INTO prices (price_book_id, sku, feed_key, tiers, data)',
);
const STOCK_LEVEL_ROWS = new UpsertTable(
  `INSERT INTO stock_levels (node_id, sku, feed_key, sellable, staged, damaged, quality_control, incoming,
     reserved_unstaged, safety_stock, atp, device_seqs, reflected_own_seq)`,
  13,
  `ON CONFLICT (node_id, sku) DO UPDATE SET sellable = excluded.sellable, staged = excluded.staged,
     damaged = excluded.damaged, quality_control = excluded.quality_control, incoming = excluded.incoming,
     reserved_unstaged = excluded.reserved_unstaged, safety_stock = excluded.safety_stock, atp = excluded.atp,
     device_seqs = excluded.device_seqs, reflected_own_seq = excluded.reflected_own_seq`,
  `INSERT OR FAIL INTO stock_levels (node_id, sku, feed_key, sellable, staged, damaged, quality_control,
     incoming, reserved_unstaged, safety_stock, atp, device_seqs, reflected_own_seq)`,
);

/**
 * Every table above. Those with an `INSERT OR FAIL` must never gain a BEFORE trigger: a row that fails
 * there is written again by the upsert, and a BEFORE trigger would have fired for both (row-writer.test.ts).
 */
export const CATALOG_ROW_TABLES: readonly UpsertTable[] = [
  BARCODE_ROWS,
  PRODUCT_ROWS,
  SKU_ROWS,
  PRICE_ROWS,
  STOCK_LEVEL_ROWS,
];

export function writeBarcodes(state: ApplyState, sku: Sku): void {
  if (!state.fresh) state.rows.clearBarcodes(sku.sku);
  for (const barcode of sku.barcodes) {
    const key = barcodeKeyFor(barcode, state.labelRules);
    state.rows.upsert(BARCODE_ROWS, key, [key, sku.sku, barcode]);
  }
}

const windowOf = (value: { startsAt?: number | undefined; endsAt?: number | undefined }) => [
  value.startsAt ?? null,
  value.endsAt ?? null,
];

export const ENTITY_APPLIERS: Readonly<Record<FeedEntity, EntityApplier>> = {
  category: applier('category', {
    keyOf: (category) => category.categoryId,
    upsert(state, category, json) {
      sql(
        state.db,
        `INSERT INTO categories (category_id, name, parent_id, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (category_id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, data = excluded.data`,
      ).run(category.categoryId, category.name, category.parentId ?? null, json);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM categories WHERE category_id = ?').run(key),
  }),
  product: applier('product', {
    keyOf: (product) => product.productId,
    batched: true,
    upsert(state, product, json) {
      state.rows.upsert(PRODUCT_ROWS, product.productId, [
        product.productId,
        product.name,
        product.categoryId ?? null,
        json,
      ]);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM products WHERE product_id = ?').run(key),
  }),
  sku: applier('sku', {
    keyOf: (sku) => sku.sku,
    batched: true,
    upsert(state, sku, json) {
      state.searchIndex.beforeWrite(sku.sku);
      state.rows.upsert(SKU_ROWS, sku.sku, [
        sku.sku,
        sku.productId,
        sku.name,
        sku.unit,
        sku.taxCategory,
        sku.active ? 1 : 0,
        json,
      ]);
      if (!state.labelRulesChanged) writeBarcodes(state, sku);
    },
    remove(state, key) {
      state.searchIndex.beforeRemove(key);
      sql(state.db, 'DELETE FROM barcodes WHERE sku = ?').run(key);
      sql(state.db, 'DELETE FROM skus WHERE sku = ?').run(key);
    },
  }),
  tax_rate: applier('tax_rate', {
    keyOf: (rate) => rate.rateId,
    upsert(state, rate, json) {
      sql(
        state.db,
        `INSERT INTO tax_rates (rate_id, jurisdiction_id, tax_category, starts_at_ms, ends_at_ms, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (rate_id) DO UPDATE SET jurisdiction_id = excluded.jurisdiction_id, tax_category = excluded.tax_category,
           starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms, data = excluded.data`,
      ).run(rate.rateId, rate.jurisdictionId, rate.taxCategory, ...windowOf(rate), json);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM tax_rates WHERE rate_id = ?').run(key),
  }),
  price_book: applier('price_book', {
    keyOf: (book) => book.priceBookId,
    upsert(state, book, json) {
      const scopeId =
        book.scope.type === 'chain'
          ? null
          : book.scope.type === 'region'
            ? book.scope.regionId
            : book.scope.storeId;
      sql(
        state.db,
        `INSERT INTO price_books (price_book_id, version, currency, scope_type, scope_id, priority, tax_inclusive,
           starts_at_ms, ends_at_ms, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (price_book_id) DO UPDATE SET version = excluded.version, currency = excluded.currency,
           scope_type = excluded.scope_type, scope_id = excluded.scope_id, priority = excluded.priority,
           tax_inclusive = excluded.tax_inclusive, starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms,
           data = excluded.data`,
      ).run(
        book.priceBookId,
        book.version,
        book.currency,
        book.scope.type,
        scopeId,
        book.priority,
        book.taxInclusive ? 1 : 0,
        ...windowOf(book),
        json,
      );
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM price_books WHERE price_book_id = ?').run(key),
  }),
  price: applier('price', {
    keyOf: (entry) => `${entry.priceBookId}:${entry.sku}`,
    batched: true,
    upsert(state, entry, json) {
      const feedKey = `${entry.priceBookId}:${entry.sku}`;
      state.rows.upsert(PRICE_ROWS, feedKey, [
        entry.priceBookId,
        entry.sku,
        feedKey,
        JSON.stringify(entry.tiers),
        json,
      ]);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM prices WHERE feed_key = ?').run(key),
  }),
  promotion: applier('promotion', {
    keyOf: (promotion) => promotion.promotionId,
    upsert(state, promotion, json) {
      sql(
        state.db,
        `INSERT INTO promotions (promotion_id, version, priority, starts_at_ms, ends_at_ms, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (promotion_id) DO UPDATE SET version = excluded.version, priority = excluded.priority,
           starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms, data = excluded.data`,
      ).run(promotion.promotionId, promotion.version, promotion.priority, ...windowOf(promotion), json);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM promotions WHERE promotion_id = ?').run(key),
  }),
  store: applier('store', {
    keyOf: (store) => store.nodeId,
    upsert(state, store, json) {
      sql(
        state.db,
        `INSERT INTO stores (store_id, code, name, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (store_id) DO UPDATE SET code = excluded.code, name = excluded.name, data = excluded.data`,
      ).run(store.nodeId, store.code, store.name, json);
    },
    remove: (state, key) => void sql(state.db, 'DELETE FROM stores WHERE store_id = ?').run(key),
  }),
  config: applier('config', {
    keyOf: (entry) => entry.key,
    upsert(state, entry, json) {
      sql(
        state.db,
        'INSERT INTO config (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data',
      ).run(entry.key, json);
      if (entry.key === CONFIG_KEYS.labelRules) state.labelRulesChanged = true;
    },
    remove(state, key) {
      sql(state.db, 'DELETE FROM config WHERE key = ?').run(key);
      if (key === CONFIG_KEYS.labelRules) state.labelRulesChanged = true;
    },
  }),
  customer: applier('customer', {
    keyOf: (merge) => merge.customerId,
    upsert: (state, merge) => applyCustomerFeed(state.db, merge),
    // Customers are never withdrawn from a till: a delete only stops further updates.
    remove: () => undefined,
  }),
  receiving_document: applier('receiving_document', {
    keyOf: (document) => `${document.kind}:${document.documentId}`,
    upsert(state, document, json) {
      sql(
        state.db,
        `INSERT INTO receiving_documents (document_key, kind, document_id, number, status, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (document_key) DO UPDATE SET number = excluded.number, status = excluded.status, data = excluded.data`,
      ).run(
        `${document.kind}:${document.documentId}`,
        document.kind,
        document.documentId,
        document.number,
        document.status,
        json,
      );
    },
    remove: (state, key) =>
      void sql(state.db, 'DELETE FROM receiving_documents WHERE document_key = ?').run(key),
  }),
  staff: applier('staff', {
    keyOf: (staff) => staff.staffId,
    upsert: (state, staff) => applyHubStaff(state.db, state.identity.storeId, staff, state.nowMs),
    remove: (state, key) => withdrawHubStaff(state.db, key, state.nowMs),
  }),
  bopis_order: applier('bopis_order', {
    keyOf: (order) => order.order.orderId,
    upsert: (state, order, json) => upsertBopisOrder(state.db, order, json),
    remove: (state, key) => removeBopisOrder(state.db, key),
  }),
  stock_level: applier('stock_level', {
    keyOf: (level) => `${level.nodeId}:${level.sku}`,
    batched: true,
    upsert(state, level) {
      const feedKey = `${level.nodeId}:${level.sku}`;
      state.rows.upsert(STOCK_LEVEL_ROWS, feedKey, [
        level.nodeId,
        level.sku,
        feedKey,
        level.sellable,
        level.staged,
        level.damaged,
        level.qualityControl,
        level.incoming,
        level.reservedUnstaged,
        level.safetyStock,
        level.atp,
        JSON.stringify(level.deviceSeqs),
        reflectedOwnSeq(level.deviceSeqs, state.ownDevices),
      ]);
      if (level.nodeId === state.identity.storeId) state.touchedSkus.add(level.sku);
    },
    remove(state, key) {
      const row = sql(
        state.db,
        'DELETE FROM stock_levels WHERE feed_key = ? RETURNING node_id AS nodeId, sku',
      ).get(key) as { nodeId: string; sku: string } | undefined;
      if (row && row.nodeId === state.identity.storeId) state.touchedSkus.add(row.sku);
    },
  }),
};

/** Re-keys every barcode under the current label rules (after HQ changed how labels are laid out). */
export function rebuildBarcodes(state: ApplyState): void {
  state.rows.flush();
  sql(state.db, 'DELETE FROM barcodes').run();
  const rows = sql(state.db, 'SELECT data FROM skus').all() as { data: string }[];
  for (const row of rows) {
    const sku = SkuSchema.parse(JSON.parse(row.data));
    try {
      writeBarcodes(state, sku);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new DomainError(
        'INVALID_INPUT',
        'feed.skuBarcodeNewLabel',
        { sku: sku.sku, message: error.message },
        { sku: sku.sku },
      );
    }
  }
  state.rows.flush();
}
