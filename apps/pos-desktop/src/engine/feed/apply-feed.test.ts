import { barcodeKey, variableMeasureItemBarcode, withGtinCheckDigit } from '@retail/domain';
import type { FeedChange } from '@retail/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFeedChanges } from './apply-feed';
import {
  TEST_SKUS,
  countRows,
  createTestNode,
  databaseSnapshot,
  expectOk,
  stockLevel,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const EPOCH = 'test-epoch';

function sku(code: string, barcodes: string[], name = `Item ${code}`) {
  return {
    sku: code,
    productId: `p-${code}`,
    name,
    unit: 'each',
    taxCategory: 'food',
    categoryIds: ['food'],
    barcodes,
    active: true,
  };
}

function apply(changes: FeedChange[], options: { epoch?: string; cursor?: number; reset?: boolean } = {}) {
  return applyFeedChanges(
    node.engine.db,
    node.engine.identity,
    { epoch: options.epoch ?? EPOCH, changes, ...options },
    node.clock.now(),
  );
}

function savedCursor(): { epoch: string; cursor: number } {
  return node.engine.db
    .prepare('SELECT feed_epoch AS epoch, feed_cursor AS cursor FROM sync_state')
    .get() as {
    epoch: string;
    cursor: number;
  };
}

function skuForBarcode(code: string): string | undefined {
  return (
    node.engine.db.prepare('SELECT sku FROM barcodes WHERE barcode_key = ?').get(barcodeKey(code)) as
      { sku: string } | undefined
  )?.sku;
}

describe('apply-feed', () => {
  describe('applyFeedChanges', () => {
    it('writes every entity kind of the test catalog and saves the epoch and cursor', () => {
      node = createTestNode();
      expect(savedCursor()).toEqual({ epoch: EPOCH, cursor: 17 });
      expect(countRows(node.engine, 'skus')).toBe(3);
      expect(countRows(node.engine, 'prices')).toBe(3);
      expect(countRows(node.engine, 'stock_levels')).toBe(2);
      expect(countRows(node.engine, 'stores')).toBe(2);
      expect(skuForBarcode(TEST_SKUS.milk.barcode)).toBe('MILK-1');
    });

    it('indexes barcodes by barcodeKey so UPC-A and EAN-13 spellings find the same SKU', () => {
      node = createTestNode();
      const upc = withGtinCheckDigit('03600029145');
      apply([{ hubSeq: 100, entity: 'sku', key: 'SHAMPOO', op: 'upsert', data: sku('SHAMPOO', [upc]) }]);
      expect(skuForBarcode(upc)).toBe('SHAMPOO');
      expect(skuForBarcode(`0${upc}`)).toBe('SHAMPOO');
    });

    it('replaces a SKU barcode list on update and removes barcodes with the SKU', () => {
      node = createTestNode();
      const first = withGtinCheckDigit('400000000111');
      const second = withGtinCheckDigit('400000000222');
      apply([{ hubSeq: 100, entity: 'sku', key: 'X1', op: 'upsert', data: sku('X1', [first]) }]);
      apply([{ hubSeq: 101, entity: 'sku', key: 'X1', op: 'upsert', data: sku('X1', [second], 'Renamed') }]);
      expect(skuForBarcode(first)).toBeUndefined();
      expect(skuForBarcode(second)).toBe('X1');
      expect(node.engine.db.prepare("SELECT name FROM skus WHERE sku = 'X1'").get()).toEqual({
        name: 'Renamed',
      });
      apply([{ hubSeq: 102, entity: 'sku', key: 'X1', op: 'delete' }]);
      expect(skuForBarcode(second)).toBeUndefined();
      expect(node.engine.db.prepare("SELECT 1 FROM skus WHERE sku = 'X1'").get()).toBeUndefined();
    });

    it('deletes composite keys exactly even when ids contain colons', () => {
      node = createTestNode();
      const entry = (bookId: string, code: string) => ({
        priceBookId: bookId,
        sku: code,
        tiers: [{ minQty: 1, unitPrice: 100 }],
      });
      apply([
        { hubSeq: 100, entity: 'price', key: 'pb:a:B', op: 'upsert', data: entry('pb:a', 'B') },
        { hubSeq: 101, entity: 'price', key: 'pb:a:B:C', op: 'upsert', data: entry('pb:a', 'B:C') },
        { hubSeq: 102, entity: 'price', key: 'pb:a:B', op: 'delete' },
      ]);
      expect(node.engine.db.prepare("SELECT sku FROM prices WHERE price_book_id = 'pb:a'").all()).toEqual([
        { sku: 'B:C' },
      ]);
    });

    it('skips changes at or below the saved cursor, so a page delivered twice changes nothing', () => {
      node = createTestNode();
      const page: FeedChange[] = [
        {
          hubSeq: 100,
          entity: 'category',
          key: 'drinks',
          op: 'upsert',
          data: { categoryId: 'drinks', name: 'Drinks' },
        },
      ];
      expect(apply(page)).toMatchObject({ applied: 1, skipped: 0, cursor: 100 });
      const before = databaseSnapshot(node.engine);
      expect(apply(page)).toMatchObject({ applied: 0, skipped: 1, cursor: 100 });
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('saves a cursor the hub moved past rows it filtered out', () => {
      node = createTestNode();
      expect(apply([], { cursor: 250 }).cursor).toBe(250);
      expect(savedCursor().cursor).toBe(250);
    });

    it('refuses the whole page when one change is invalid, and keeps the cursor', () => {
      node = createTestNode();
      const before = databaseSnapshot(node.engine);
      expect(() =>
        apply([
          {
            hubSeq: 100,
            entity: 'category',
            key: 'drinks',
            op: 'upsert',
            data: { categoryId: 'drinks', name: 'Drinks' },
          },
          { hubSeq: 101, entity: 'sku', key: 'BAD', op: 'upsert', data: sku('BAD', ['4000000000010']) },
        ]),
      ).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: expect.stringMatching(/^Feed change 101 \(sku BAD\) cannot be applied: barcodes\.0: /),
        }),
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('refuses data that belongs to another key, and changes out of order', () => {
      node = createTestNode();
      expect(() =>
        apply([
          { hubSeq: 100, entity: 'category', key: 'a', op: 'upsert', data: { categoryId: 'b', name: 'B' } },
        ]),
      ).toThrow(/its data belongs to key b/);
      expect(() =>
        apply([
          { hubSeq: 101, entity: 'category', key: 'a', op: 'delete' },
          { hubSeq: 100, entity: 'category', key: 'b', op: 'delete' },
        ]),
      ).toThrow(/increasing hubSeq order/);
    });

    it('refuses another feed epoch unless told to reset, and a reset replaces all hub data', () => {
      node = createTestNode();
      const change: FeedChange = {
        hubSeq: 1,
        entity: 'category',
        key: 'only',
        op: 'upsert',
        data: { categoryId: 'only', name: 'Only' },
      };
      expect(() => apply([change], { epoch: 'hub-2' })).toThrow(
        expect.objectContaining({
          code: 'CONFLICT',
          message: expect.stringMatching(/follows feed test-epoch, not hub-2/),
        }),
      );
      apply([change], { epoch: 'hub-2', reset: true });
      expect(savedCursor()).toEqual({ epoch: 'hub-2', cursor: 1 });
      expect(countRows(node.engine, 'skus')).toBe(0);
      expect(countRows(node.engine, 'categories')).toBe(1);
    });

    it('keeps changes for entities it does not know yet instead of failing', () => {
      node = createTestNode();
      const result = apply([
        { hubSeq: 100, entity: 'loyalty_account', key: 'la-1', op: 'upsert', data: { accountId: 'la-1' } },
      ]);
      expect(result).toMatchObject({ applied: 0, deferred: 1, cursor: 100 });
      expect(node.engine.db.prepare('SELECT entity, key, data FROM feed_deferred').all()).toEqual([
        { entity: 'loyalty_account', key: 'la-1', data: '{"accountId":"la-1"}' },
      ]);
    });

    it('refuses a config value this node understands but that is out of range', () => {
      node = createTestNode();
      expect(() =>
        apply([
          {
            hubSeq: 100,
            entity: 'config',
            key: 'pos.staff.lockoutAttempts',
            op: 'upsert',
            data: { key: 'pos.staff.lockoutAttempts', value: 0 },
          },
        ]),
      ).toThrow(/value: Too small/);
      apply([
        {
          hubSeq: 101,
          entity: 'config',
          key: 'hq.unknown',
          op: 'upsert',
          data: { key: 'hq.unknown', value: [1] },
        },
      ]);
      expect(countRows(node.engine, 'config')).toBe(1);
    });

    it('re-keys every barcode when HQ changes the scale label rules', () => {
      node = createTestNode();
      const rule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 } as const;
      const itemBarcode = variableMeasureItemBarcode(rule, '12345');
      // A sample label (1.250 kg) listed on the SKU: an ordinary GTIN until the rules say it is a scale label.
      const sampleLabel = withGtinCheckDigit('211234501250');
      apply([
        {
          hubSeq: 100,
          entity: 'sku',
          key: 'HAM',
          op: 'upsert',
          data: { ...sku('HAM', [sampleLabel]), unit: 'kg' },
        },
      ]);
      const keyOfHam = () =>
        (
          node.engine.db.prepare("SELECT barcode_key AS key FROM barcodes WHERE sku = 'HAM'").get() as {
            key: string;
          }
        ).key;
      expect(keyOfHam()).toBe(barcodeKey(sampleLabel));
      apply([
        {
          hubSeq: 101,
          entity: 'config',
          key: 'pos.scan.variableMeasureRules',
          op: 'upsert',
          data: { key: 'pos.scan.variableMeasureRules', value: [rule] },
        },
      ]);
      expect(expectOk(node.engine.execute('node-info', {})).storeCode).toBe('S001');
      expect(node.engine.settings().labelRules).toEqual([rule]);
      expect(keyOfHam()).toBe(barcodeKey(itemBarcode));
      expect(countRows(node.engine, 'barcodes')).toBe(4);
    });

    it("stores this device's reflected deviceSeq from a stock snapshot and reports the SKUs it changed", () => {
      node = createTestNode();
      const deviceId = node.engine.identity.deviceId;
      const result = apply([
        {
          hubSeq: 100,
          entity: 'stock_level',
          key: 'store-1:MILK-1',
          op: 'upsert',
          data: stockLevel('store-1', 'MILK-1', 3, { [deviceId]: 42, other: 7 }),
        },
        {
          hubSeq: 101,
          entity: 'stock_level',
          key: 'store-2:MILK-1',
          op: 'upsert',
          data: stockLevel('store-2', 'MILK-1', 9),
        },
      ]);
      expect(result.stockSkus).toEqual(['MILK-1']);
      expect(
        node.engine.db
          .prepare("SELECT reflected_own_seq AS seq FROM stock_levels WHERE feed_key = 'store-1:MILK-1'")
          .get(),
      ).toEqual({ seq: 42 });
      apply([{ hubSeq: 102, entity: 'stock_level', key: 'store-1:MILK-1', op: 'delete' }]);
      expect(countRows(node.engine, 'stock_levels')).toBe(2);
    });
  });
});
