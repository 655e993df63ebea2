import type { FeedChange } from '@retail/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFeedChanges } from './apply-feed';
import { createTestNode, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

let hubSeq = 1_000_000;

function upsert(code: string, name: string): FeedChange {
  hubSeq += 1;
  return {
    hubSeq,
    entity: 'sku',
    key: code,
    op: 'upsert',
    data: {
      sku: code,
      productId: `p-${code}`,
      name,
      unit: 'each',
      taxCategory: 'food',
      categoryIds: [],
      barcodes: [],
      active: true,
    },
  };
}

function remove(code: string): FeedChange {
  hubSeq += 1;
  return { hubSeq, entity: 'sku', key: code, op: 'delete' };
}

function apply(changes: FeedChange[], reset = false) {
  return applyFeedChanges(
    node.engine.db,
    node.engine.identity,
    { epoch: 'test-epoch', changes, reset },
    node.clock.now(),
  );
}

function search(query: string): string[] {
  return expectOk(
    node.engine.execute('catalog-search', { query, limit: 50 }, { session: node.sessions.cashier }),
  )
    .items.map((item) => item.sku)
    .sort();
}

/** FTS5 compares the whole index with the `skus` rows it was built from, and throws if they differ. */
function expectIndexMatchesRows(): void {
  const db = node.engine.db;
  expect(() =>
    db.prepare("INSERT INTO sku_search (sku_search, rank) VALUES ('integrity-check', 1)").run(),
  ).not.toThrow();
  expect(db.prepare('SELECT search_index_deferred AS deferred FROM sync_state').get()).toEqual({
    deferred: 0,
  });
}

describe('search-index', () => {
  describe('SearchIndexBatch (through applyFeedChanges)', () => {
    it('indexes SKUs added, renamed and removed within one page as the page leaves them', () => {
      node = createTestNode();
      apply([
        upsert('ZZ-1', 'Quince jelly'),
        upsert('ZZ-2', 'Quinoa flakes'),
        upsert('ZZ-1', 'Quark natural'),
        upsert('ZZ-3', 'Quail eggs'),
        remove('ZZ-3'),
        upsert('ZZ-4', 'Quetsche plums'),
        remove('ZZ-4'),
        upsert('ZZ-4', 'Quetsche jam'),
      ]);
      expectIndexMatchesRows();
      expect(search('quince')).toEqual([]);
      expect(search('quark')).toEqual(['ZZ-1']);
      expect(search('quail')).toEqual([]);
      expect(search('quetsche')).toEqual(['ZZ-4']);
      expect(search('qu')).toEqual(['ZZ-1', 'ZZ-2', 'ZZ-4']);
    });

    it('takes the old entry out when a later page renames or removes an indexed SKU', () => {
      node = createTestNode();
      apply([upsert('ZZ-1', 'Quince jelly'), upsert('ZZ-2', 'Quinoa flakes')]);
      apply([upsert('ZZ-1', 'Quark natural'), remove('ZZ-2'), upsert('ZZ-2', 'Quinoa puffs')]);
      apply([remove('ZZ-1')]);
      expectIndexMatchesRows();
      expect(search('quince')).toEqual([]);
      expect(search('quark')).toEqual([]);
      expect(search('flakes')).toEqual([]);
      expect(search('quinoa puffs')).toEqual(['ZZ-2']);
    });

    it('rebuilds nothing twice after a reset page, and a refused page leaves index and triggers as they were', () => {
      node = createTestNode();
      apply([upsert('ZZ-1', 'Quince jelly')]);
      apply([upsert('ZZ-5', 'Quinoa flakes')], true);
      expectIndexMatchesRows();
      expect(search('quince')).toEqual([]);
      expect(search('quinoa')).toEqual(['ZZ-5']);
      const bad = upsert('ZZ-6', 'Quark');
      expect(() => apply([upsert('ZZ-7', 'Quiche'), { ...bad, key: 'OTHER' }])).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expectIndexMatchesRows();
      expect(search('quiche')).toEqual([]);
      // The triggers are on again: a SKU written outside the feed path is still indexed at once.
      node.engine.db
        .prepare(
          "INSERT INTO skus (sku, product_id, name, unit, tax_category, active, data) VALUES ('ZZ-8', 'p', 'Quiche lorraine', 'each', 'food', 1, '{}')",
        )
        .run();
      expect(search('quiche')).toEqual(['ZZ-8']);
    });
  });
});
