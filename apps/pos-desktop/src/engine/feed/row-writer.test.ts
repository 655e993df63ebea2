import { withGtinCheckDigit } from '@retail/domain';
import type { FeedChange } from '@retail/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../database';
import { applyChanges, clearReplica, HUB_OWNED_TABLES } from './apply-feed';
import { CATALOG_ROW_TABLES } from './entities';
import { createTestNode, stockLevel, TEST_SKUS, type TestNode } from '../testing/test-node';

let node: TestNode;
beforeAll(() => {
  node = createTestNode();
});
afterAll(() => node?.close());

// Small pools, so a page keeps writing, re-writing and deleting the same keys, and barcodes move
// between SKUs. APPLE-1 and MILK-1 (with their barcodes) exist in the test node before the page.
const SKUS = ['APPLE-1', 'MILK-1', 'NEW-1', 'NEW-2'];
const PRODUCTS = ['p-APPLE-1', 'p-NEW-1', 'p-NEW-2'];
const BARCODES = [
  TEST_SKUS.apple.barcode,
  TEST_SKUS.milk.barcode,
  withGtinCheckDigit('400000000777'),
  withGtinCheckDigit('400000000778'),
  withGtinCheckDigit('400000000779'),
];
const BOOKS = ['pb-chain', 'pb-store-1'];
const NODES = ['store-1', 'store-2'];

type Change = Omit<FeedChange, 'hubSeq'>;

const productChange = fc
  .record({ id: fc.constantFrom(...PRODUCTS), name: fc.constantFrom('Apples', 'Bread', 'Tea') })
  .map(({ id, name }): Change => ({
    entity: 'product',
    key: id,
    op: 'upsert',
    data: { productId: id, name },
  }));

const skuChange = fc
  .record({
    sku: fc.constantFrom(...SKUS),
    productId: fc.constantFrom(...PRODUCTS),
    name: fc.constantFrom('Apple', 'Apricot jam', 'Bread'),
    barcodes: fc.subarray(BARCODES, { maxLength: 3 }),
    active: fc.boolean(),
  })
  .map(({ sku, productId, name, barcodes, active }): Change => ({
    entity: 'sku',
    key: sku,
    op: 'upsert',
    data: { sku, productId, name, unit: 'each', taxCategory: 'food', categoryIds: [], barcodes, active },
  }));

const priceChange = fc
  .record({
    book: fc.constantFrom(...BOOKS),
    sku: fc.constantFrom(...SKUS),
    unitPrice: fc.integer({ min: 1, max: 999 }),
  })
  .map(({ book, sku, unitPrice }): Change => ({
    entity: 'price',
    key: `${book}:${sku}`,
    op: 'upsert',
    data: { priceBookId: book, sku, tiers: [{ minQty: 1, unitPrice }] },
  }));

const stockChange = fc
  .record({
    nodeId: fc.constantFrom(...NODES),
    sku: fc.constantFrom(...SKUS),
    sellable: fc.integer({ min: -5, max: 50 }),
  })
  .map(({ nodeId, sku, sellable }): Change => ({
    entity: 'stock_level',
    key: `${nodeId}:${sku}`,
    op: 'upsert',
    data: stockLevel(nodeId, sku, sellable),
  }));

/** An entity whose rows are never held: the held rows must be written before it. */
const categoryChange = fc
  .constantFrom('food', 'drinks')
  .map((id): Change => ({ entity: 'category', key: id, op: 'upsert', data: { categoryId: id, name: id } }));

const deleteChange = fc
  .oneof(
    fc.constantFrom(...PRODUCTS).map((key) => ({ entity: 'product', key })),
    fc.constantFrom(...SKUS).map((key) => ({ entity: 'sku', key })),
    fc
      .tuple(fc.constantFrom(...BOOKS), fc.constantFrom(...SKUS))
      .map(([book, sku]) => ({ entity: 'price', key: `${book}:${sku}` })),
    fc
      .tuple(fc.constantFrom(...NODES), fc.constantFrom(...SKUS))
      .map(([nodeId, sku]) => ({ entity: 'stock_level', key: `${nodeId}:${sku}` })),
    fc.constantFrom('food', 'drinks').map((key) => ({ entity: 'category', key })),
  )
  .map((target): Change => ({ ...target, op: 'delete' }));

const upsert = fc.oneof(productChange, skuChange, priceChange, stockChange, categoryChange);
const liveChange = fc.oneof({ arbitrary: upsert, weight: 3 }, { arbitrary: deleteChange, weight: 1 });

/** A page of changes in increasing hubSeq order, above everything the test node holds. */
const pageOf = (change: fc.Arbitrary<Change>) =>
  fc
    .array(change, { maxLength: 200 })
    .map((changes): FeedChange[] =>
      changes.map((value, index) => ({ ...value, hubSeq: 1_000 + index }) as FeedChange),
    );

const hasRowid = (db: Db, table: string) =>
  !(
    db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as {
      sql: string;
    }
  ).sql.includes('WITHOUT ROWID');

/** Every hub-owned row (with its rowid where it has one: the search index is keyed by it). */
function hubRows(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(
    HUB_OWNED_TABLES.map((table) => [
      table,
      db.prepare(`SELECT ${hasRowid(db, table) ? 'rowid AS row_id, ' : ''}* FROM ${table}`).all(),
    ]),
  );
}

function expectSearchIndexMatchesRows(db: Db): void {
  db.prepare("INSERT INTO sku_search (sku_search, rank) VALUES ('integrity-check', 1)").run();
}

/** Runs `apply` in a savepoint and rolls it back: each run starts from the same database. */
function contentAfter(apply: (db: Db) => { applied: number; stockSkus: readonly string[] }) {
  const db = node.engine.db;
  db.exec('SAVEPOINT property_run');
  try {
    const result = apply(db);
    expectSearchIndexMatchesRows(db);
    return { rows: hubRows(db), applied: result.applied, stockSkus: [...result.stockSkus].sort() };
  } finally {
    db.exec('ROLLBACK TO property_run');
    db.exec('RELEASE property_run');
  }
}

describe('engine/feed row-writer', () => {
  describe('RowBatch', () => {
    it('writes fresh rows first only into tables without a BEFORE trigger', () => {
      // A row that INSERT OR FAIL refuses is written again by the upsert: a BEFORE trigger would fire twice.
      const fresh = CATALOG_ROW_TABLES.filter((table) => table.freshHead !== undefined).map(
        (table) => /INTO (\w+)/.exec(table.freshHead ?? '')?.[1],
      );
      expect(fresh).toEqual(['barcodes', 'products', 'prices', 'stock_levels']);
      const triggers = node.engine.db
        .prepare("SELECT name, tbl_name AS tableName, sql FROM sqlite_master WHERE type = 'trigger'")
        .all() as { name: string; tableName: string; sql: string }[];
      expect(triggers.some((trigger) => trigger.tableName === 'skus')).toBe(true);
      const before = triggers.filter(
        (trigger) => fresh.includes(trigger.tableName) && /\bBEFORE\b/i.test(trigger.sql),
      );
      expect(before.map((trigger) => trigger.name)).toEqual([]);
    });

    it('leaves exactly the rows a statement per row leaves, for any interleaving of writes and deletes', () => {
      fc.assert(
        fc.property(pageOf(liveChange), (page) => {
          const apply = (rows: 'batched' | 'row-by-row') =>
            contentAfter((db) => applyChanges(db, node.engine.identity, page, { afterSeq: 0, rows }));
          expect(apply('batched')).toEqual(apply('row-by-row'));
        }),
        { numRuns: 150 },
      );
    });

    it('does the same for a snapshot into a reset replica, where a SKU written twice keeps its old barcodes', () => {
      fc.assert(
        fc.property(pageOf(upsert), (page) => {
          const apply = (rows: 'batched' | 'row-by-row') =>
            contentAfter((db) => {
              clearReplica(db);
              return applyChanges(db, node.engine.identity, page, { afterSeq: 0, snapshot: true, rows });
            });
          expect(apply('batched')).toEqual(apply('row-by-row'));
        }),
        { numRuns: 150 },
      );
    });

    it('does the same when held rows fill a statement and are written before the rest of the page', () => {
      // Statements of 1 to 4 rows: whole ones are written early all through the page (64 in production).
      fc.assert(
        fc.property(pageOf(liveChange), fc.integer({ min: 1, max: 4 }), (page, chunkRows) => {
          const batched = contentAfter((db) =>
            applyChanges(db, node.engine.identity, page, { afterSeq: 0, rows: 'batched', chunkRows }),
          );
          const reference = contentAfter((db) =>
            applyChanges(db, node.engine.identity, page, { afterSeq: 0, rows: 'row-by-row' }),
          );
          expect(batched).toEqual(reference);
        }),
        { numRuns: 200 },
      );
    });

    it('fails where a statement per row fails, with its error, also after rows written as new', () => {
      // "pb:x" + "y" and "pb" + "x:y" are two prices with one feed key: the second breaks feed_key's
      // uniqueness, which the upsert's conflict clause (on sku and price book) does not cover.
      const price = (hubSeq: number, book: string, sku: string): FeedChange => ({
        hubSeq,
        entity: 'price',
        key: `${book}:${sku}`,
        op: 'upsert',
        data: { priceBookId: book, sku, tiers: [{ minQty: 1, unitPrice: 100 }] },
      });
      const page = [price(1_000, 'pb-new', 'NEW-1'), price(1_001, 'pb:x', 'y'), price(1_002, 'pb', 'x:y')];
      const errorOf = (options: { rows: 'batched' | 'row-by-row'; chunkRows?: number }) => {
        try {
          contentAfter((db) => applyChanges(db, node.engine.identity, page, { afterSeq: 0, ...options }));
        } catch (error) {
          return String(error);
        }
        return 'no error';
      };
      const reference = errorOf({ rows: 'row-by-row' });
      expect(reference).toMatch(/UNIQUE constraint failed: prices.feed_key/);
      for (const chunkRows of [1, 2, 3, 64]) expect(errorOf({ rows: 'batched', chunkRows })).toBe(reference);
    });

    it('does the same for a snapshot page whose held rows fill statements', () => {
      fc.assert(
        fc.property(pageOf(upsert), fc.integer({ min: 1, max: 4 }), (page, chunkRows) => {
          const apply = (options: { rows: 'batched' | 'row-by-row'; chunkRows?: number }) =>
            contentAfter((db) => {
              clearReplica(db);
              return applyChanges(db, node.engine.identity, page, {
                afterSeq: 0,
                snapshot: true,
                ...options,
              });
            });
          expect(apply({ rows: 'batched', chunkRows })).toEqual(apply({ rows: 'row-by-row' }));
        }),
        { numRuns: 150 },
      );
    });
  });
});
