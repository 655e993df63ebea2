import { withGtinCheckDigit } from '@retail/domain';
import { FEED_ENTITY_SCHEMAS, type FeedEntity } from '@retail/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoFixture } from '../fixture/demo-fixture';
import { isCanonicalRow } from './row-checks';

/** Text a schema may take or refuse: empty, padded, long, odd characters. */
const text = fc.oneof(
  fc.constantFrom('a', 'SKU0000001', 'Organic Apples 1 kg', 'pb-chain', 'store-1', 'x'.repeat(100)),
  fc.constantFrom('', ' padded ', 'x'.repeat(101), 'y'.repeat(201), 'bad id!', '-starts-with-dash'),
  fc.string({ maxLength: 12 }),
);
const integer = fc.oneof(
  fc.constantFrom(0, 1, 2, 6, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e12 + 1),
  fc.integer({ min: -5, max: 5 }),
);
const value = fc.oneof(text, integer, fc.boolean(), fc.constant(undefined), fc.constant(null));
const barcode = fc.oneof(
  fc.constantFrom(withGtinCheckDigit('400000000017'), 'STORE-CODE', '4000000000019', ' ', '12ab'),
  text,
);

/** A row of `keys` in order, each value from its arbitrary, sometimes with a key dropped, added or moved. */
function row(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.record(fields), fc.nat(20), fc.nat(20)).map(([base, drop, extra]) => {
    const entries = Object.entries(base);
    if (drop < entries.length && drop % 3 === 0) entries.splice(drop, 1);
    if (extra === 1) entries.push(['unexpected', 'x']);
    if (extra === 2) entries.reverse();
    return Object.fromEntries(entries);
  });
}

const tier = row({ minQty: integer, unitPrice: integer });
const ROWS: Partial<Record<FeedEntity, fc.Arbitrary<Record<string, unknown>>>> = {
  product: row({
    productId: text,
    name: text,
    brand: fc.option(text, { nil: undefined }),
    categoryId: fc.option(text, { nil: undefined }),
  }),
  sku: row({
    sku: text,
    productId: text,
    name: text,
    unit: fc.constantFrom('each', 'kg', 'box'),
    taxCategory: text,
    categoryIds: fc.array(fc.constantFrom('c1', 'c2', 'c3', ''), { maxLength: 4 }),
    barcodes: fc.array(barcode, { maxLength: 3 }),
    active: fc.oneof(fc.boolean(), value),
  }),
  price: row({
    priceBookId: text,
    sku: text,
    tiers: fc.array(fc.oneof(tier, fc.constant({ minQty: 1, unitPrice: 100 })), { maxLength: 4 }),
  }),
  stock_level: row({
    nodeId: text,
    sku: text,
    sellable: integer,
    staged: integer,
    damaged: integer,
    qualityControl: integer,
    incoming: integer,
    reservedUnstaged: integer,
    safetyStock: integer,
    atp: integer,
    deviceSeqs: fc.dictionary(fc.constantFrom('d1', 'd2', '7'), integer, { maxKeys: 2 }),
  }),
};

describe('row-checks', () => {
  describe('isCanonicalRow', () => {
    for (const [entity, rows] of Object.entries(ROWS) as [FeedEntity, fc.Arbitrary<unknown>][]) {
      it(`accepts a ${entity} row only when its schema accepts it unchanged`, () => {
        let accepted = 0;
        fc.assert(
          fc.property(rows, (data) => {
            if (!isCanonicalRow(entity, data)) return;
            accepted += 1;
            const parsed = FEED_ENTITY_SCHEMAS[entity].safeParse(data);
            expect(parsed.success).toBe(true);
            expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(data));
          }),
          { numRuns: 3000 },
        );
        // The generator must reach the fast path, or the property says nothing.
        expect(accepted).toBeGreaterThan(10);
      });
    }

    it('takes the fast path for every catalog row of the demo chain', () => {
      const fixture = demoFixture({ skus: 300 });
      const refused = fixture.changes.filter(
        (change) => change.entity in ROWS && !isCanonicalRow(change.entity as FeedEntity, change.data),
      );
      expect(refused).toEqual([]);
    });

    it('leaves entities without a fast path to their schema', () => {
      expect(isCanonicalRow('category', { categoryId: 'c', name: 'C' })).toBe(false);
    });
  });
});
