import { variableMeasureItemBarcode, withGtinCheckDigit } from '@retail/domain';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SEARCH_CANDIDATES, searchExpression } from './catalog';
import { TEST_SKUS, createTestNode, expectError, expectOk, type TestNode } from './testing/test-node';

let node: TestNode;

/**
 * The search order of docs/decisions/0010-search-order.md as a plain filter and sort over every SKU
 * (ASCII names; no index, no candidate bound).
 */
function referenceSearch(catalog: readonly { sku: string; name: string }[], query: string, limit: number) {
  const tokens = (text: string) =>
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((token) => token.length > 0);
  const words = tokens(query);
  const code = query.trim();
  const tierOf = (sku: { sku: string; name: string }): number | undefined => {
    if (sku.sku === code || sku.sku === code.toUpperCase()) return 0;
    const own = [...tokens(sku.name), ...tokens(sku.sku)];
    if (!words.every((word) => own.some((token) => token.startsWith(word)))) return undefined;
    return tokens(sku.name)[0]?.startsWith(words[0] ?? '') ? 1 : 2;
  };
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return catalog
    .map((sku) => ({ ...sku, tier: tierOf(sku) }))
    .filter((sku): sku is { sku: string; name: string; tier: number } => sku.tier !== undefined)
    .sort(
      (a, b) =>
        a.tier - b.tier || compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.sku, b.sku),
    )
    .slice(0, limit)
    .map((sku) => sku.sku);
}
afterEach(() => node?.close());

const search = (query: string, limit = 20) =>
  expectOk(node.engine.execute('catalog-search', { query, limit }, { session: node.sessions.cashier })).items;

function addSkus(
  ...items: { sku: string; name: string; barcodes?: string[]; unit?: 'each' | 'kg'; active?: boolean }[]
) {
  node.engine.applyFeed({
    epoch: 'test-epoch',
    changes: items.map((item, index) => ({
      hubSeq: 1000 + index,
      entity: 'sku',
      key: item.sku,
      op: 'upsert' as const,
      data: {
        sku: item.sku,
        productId: `p-${item.sku}`,
        name: item.name,
        unit: item.unit ?? 'each',
        taxCategory: 'food',
        categoryIds: ['food'],
        barcodes: item.barcodes ?? [],
        active: item.active ?? true,
      },
    })),
  });
}

describe('catalog', () => {
  describe('searchExpression', () => {
    it('makes every word a quoted prefix and drops FTS syntax', () => {
      expect(searchExpression('crème  brûlée')).toBe('"crème"* "brûlée"*');
      expect(searchExpression('milk" OR name:*')).toBe('"milk"* "OR"* "name"*');
      expect(searchExpression(' -- ')).toBeUndefined();
    });
  });

  describe('catalog-search', () => {
    it('finds SKUs by name prefix and code, folding accents, with their current price', () => {
      node = createTestNode();
      addSkus({ sku: 'CREME-1', name: 'Crème fraîche épaisse' }, { sku: 'CREAM-2', name: 'Cream cheese' });
      expect(search('creme fr').map((item) => item.sku)).toEqual(['CREME-1']);
      expect(
        search('cre')
          .map((item) => item.sku)
          .sort(),
      ).toEqual(['CREAM-2', 'CREME-1']);
      const [milk] = search('MILK');
      expect(milk).toMatchObject({
        sku: 'MILK-1',
        unit: 'each',
        barcodes: [TEST_SKUS.milk.barcode],
        price: { unitPrice: 129, taxInclusive: true, priceBookId: 'pb-chain', priceBookVersion: 1 },
      });
      expect(search('CREAM-2')[0]?.price).toBeNull();
    });

    it('keeps the index in step with renamed and deleted SKUs and limits the results', () => {
      node = createTestNode();
      addSkus(
        { sku: 'A1', name: 'Alpha bread' },
        { sku: 'A2', name: 'Alpha butter' },
        { sku: 'A3', name: 'Alpha beer' },
      );
      expect(search('alpha', 2)).toHaveLength(2);
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          { hubSeq: 2000, entity: 'sku', key: 'A3', op: 'delete' },
          {
            hubSeq: 2001,
            entity: 'sku',
            key: 'A2',
            op: 'upsert',
            data: {
              sku: 'A2',
              productId: 'p',
              name: 'Omega butter',
              unit: 'each',
              taxCategory: 'food',
              categoryIds: [],
              barcodes: [],
              active: true,
            },
          },
        ],
      });
      expect(search('alpha').map((item) => item.sku)).toEqual(['A1']);
      expect(search('omega').map((item) => item.sku)).toEqual(['A2']);
      expect(search('!!')).toEqual([]);
    });
    it('puts the exact code first, then names starting with the first word, then other matches', () => {
      node = createTestNode();
      const barcode = withGtinCheckDigit('401234567890');
      addSkus(
        { sku: 'ZZ-GREEN', name: 'Green apples' },
        { sku: 'ZZ-JUICE', name: 'Apple juice' },
        { sku: 'APP', name: 'Zesty mix' },
        { sku: 'ZZ-CIDER', name: 'Apple cider', barcodes: [barcode] },
      );
      expect(search('app').map((item) => item.sku)).toEqual([
        'APP',
        'ZZ-CIDER',
        'ZZ-JUICE',
        'APPLE-1',
        'ZZ-GREEN',
      ]);
      expect(search('app', 2).map((item) => item.sku)).toEqual(['APP', 'ZZ-CIDER']);
      expect(search(barcode).map((item) => item.sku)).toEqual(['ZZ-CIDER']);
      expect(search('zz-juice').map((item) => item.sku)).toEqual(['ZZ-JUICE']);
    });

    it('reads a bounded number of matches per tier and still fills the page in order', () => {
      node = createTestNode();
      const count = SEARCH_CANDIDATES + 100;
      addSkus(
        ...Array.from({ length: count }, (_, index) => ({
          sku: `BULK-${String(count - index).padStart(4, '0')}`,
          name: `Bulk item ${String((index * 7919) % count).padStart(4, '0')}`,
        })),
      );
      const names = search('bulk', 50).map((item) => item.name);
      expect(names).toHaveLength(50);
      expect(names).toEqual([...names].sort());
      expect(names.every((name) => name.startsWith('Bulk item '))).toBe(true);
    });

    it('orders results as a plain filter-and-sort over every SKU would', () => {
      node = createTestNode();
      const words = ['Organic', 'Oregano', 'Orange', 'Premium', 'Pressed', 'Apple', 'Juice', 'organic'];
      // Few words, many SKUs: most names tie, so the SKU code decides inside a group of equals.
      const names = fc.array(fc.subarray(words, { minLength: 1, maxLength: 3 }), {
        minLength: 60,
        maxLength: 60,
      });
      const skus = fc.shuffledSubarray(
        Array.from({ length: 60 }, (_, index) => `Z-${String(index).padStart(3, '0')}`),
        { minLength: 60, maxLength: 60 },
      );
      let hubSeq = 5000;
      fc.assert(
        fc.property(
          names,
          skus,
          fc.constantFrom('ore', 'org', 'pre', 'ora jui', 'app', 'jui ORG', 'z-007', 'Z-012', 'z', 'milk'),
          fc.nat(25),
          (wordLists, codes, query, limit) => {
            node.engine.applyFeed({
              epoch: 'test-epoch',
              changes: codes.map((code, index) => {
                hubSeq += 1;
                return {
                  hubSeq,
                  entity: 'sku',
                  key: code,
                  op: 'upsert' as const,
                  data: {
                    sku: code,
                    productId: `p-${code}`,
                    name: (wordLists[index] ?? ['Apple']).join(' '),
                    unit: 'each',
                    taxCategory: 'food',
                    categoryIds: [],
                    barcodes: [],
                    active: true,
                  },
                };
              }),
            });
            const catalog = node.engine.db.prepare('SELECT sku, name FROM skus').all() as {
              sku: string;
              name: string;
            }[];
            expect(search(query, limit + 1).map((item) => item.sku)).toEqual(
              referenceSearch(catalog, query, limit + 1),
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('catalog-scan', () => {
    it('finds a SKU by any spelling of its barcode', () => {
      node = createTestNode();
      const upc = withGtinCheckDigit('03600029145');
      addSkus({ sku: 'SHAMPOO', name: 'Shampoo', barcodes: [upc] });
      const scanned = expectOk(
        node.engine.execute('catalog-scan', { code: `0${upc}` }, { session: node.sessions.cashier }),
      );
      expect(scanned.item.sku).toBe('SHAMPOO');
      expect(scanned.scan).toEqual({ kind: 'gtin', key: `00${upc}`, weightGrams: null, embeddedPrice: null });
    });

    it('reads the weight from a scale label and prices the weighed quantity', () => {
      node = createTestNode();
      const rule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 } as const;
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 900,
            entity: 'config',
            key: 'pos.scan.variableMeasureRules',
            op: 'upsert',
            data: { key: 'pos.scan.variableMeasureRules', value: [rule] },
          },
          {
            hubSeq: 901,
            entity: 'price',
            key: 'pb-chain:HAM',
            op: 'upsert',
            data: { priceBookId: 'pb-chain', sku: 'HAM', tiers: [{ minQty: 1, unitPrice: 1990 }] },
          },
        ],
      });
      addSkus({ sku: 'HAM', name: 'Ham', unit: 'kg', barcodes: [variableMeasureItemBarcode(rule, '12345')] });
      const scanned = expectOk(
        node.engine.execute(
          'catalog-scan',
          { code: withGtinCheckDigit('211234501250') },
          { session: node.sessions.cashier },
        ),
      );
      expect(scanned.item).toMatchObject({ sku: 'HAM', unit: 'kg', price: { unitPrice: 1990 } });
      expect(scanned.scan).toMatchObject({ kind: 'variable', weightGrams: 1250, embeddedPrice: null });
    });

    it('says clearly when a barcode is unknown or malformed', () => {
      node = createTestNode();
      const unknown = expectError(
        node.engine.execute(
          'catalog-scan',
          { code: withGtinCheckDigit('599999999999') },
          { session: node.sessions.cashier },
        ),
        'UNKNOWN_BARCODE',
      );
      expect(unknown.message).toMatch(
        /is not in this store's catalog\. Key the item in by SKU or search for it by name\./,
      );
      expectError(
        node.engine.execute('catalog-scan', { code: '4000000000010' }, { session: node.sessions.cashier }),
        'INVALID_BARCODE',
      );
    });
  });
});
