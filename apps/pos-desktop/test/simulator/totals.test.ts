import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRecords, compareStock, issuesByKind, type AmountRecord, type StockSum } from './totals';

const sales = fc.uniqueArray(
  fc.record({
    id: fc.uuid(),
    deviceId: fc.constantFrom('till-1', 'till-2', 'till-3'),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
  }),
  { minLength: 1, maxLength: 40, selector: (sale) => sale.id },
);

describe('simulator totals', () => {
  describe('compareRecords', () => {
    it('finds nothing when the hub holds every till sale once with its amount, in any order', () => {
      fc.assert(
        fc.property(sales, fc.nat(), (till, rotation) => {
          const hub = till.map((_, i) => till[(i + rotation) % till.length]!);
          expect(compareRecords('sale', till, hub)).toEqual([]);
        }),
      );
    });

    it('fails on a sale the hub never recorded, naming it and its till’s totals', () => {
      fc.assert(
        fc.property(sales, fc.nat(), (till, pick) => {
          const lost = till[pick % till.length]!;
          const issues = compareRecords(
            'sale',
            till,
            till.filter((sale) => sale !== lost),
          );
          expect(issues).toContainEqual({
            kind: 'missing-at-hub',
            record: 'sale',
            id: lost.id,
            deviceId: lost.deviceId,
          });
          expect(issues).toContainEqual(
            expect.objectContaining({ kind: 'device-totals-differ', deviceId: lost.deviceId }),
          );
        }),
      );
    });

    it('fails on a sale the hub recorded twice', () => {
      fc.assert(
        fc.property(sales, fc.nat(), (till, pick) => {
          const twice = till[pick % till.length]!;
          const issues = compareRecords('sale', till, [...till, twice]);
          expect(issues).toContainEqual({
            kind: 'duplicated-at-hub',
            record: 'sale',
            id: twice.id,
            deviceId: twice.deviceId,
            times: 2,
          });
          expect(issuesByKind(issues)).toMatchObject({ 'duplicated-at-hub': 1, 'device-totals-differ': 1 });
        }),
      );
    });

    it('fails on a changed amount and on a sale no till made', () => {
      const till: AmountRecord[] = [
        { id: 'a', deviceId: 'till-1', amount: 500 },
        { id: 'b', deviceId: 'till-1', amount: 700 },
      ];
      const hub: AmountRecord[] = [
        { id: 'a', deviceId: 'till-1', amount: 500 },
        { id: 'b', deviceId: 'till-1', amount: 701 },
        { id: 'c', deviceId: 'till-2', amount: 100 },
      ];
      expect(issuesByKind(compareRecords('sale', till, hub))).toEqual({
        'amount-differs': 1,
        'unknown-at-hub': 1,
        'device-totals-differ': 2,
      });
    });
  });

  describe('compareStock', () => {
    const sum = (nodeId: string, sku: string, qty: number, bucket = 'sellable'): StockSum => ({
      nodeId,
      sku,
      bucket,
      qty,
    });

    it('adds up movements per node, SKU and bucket before comparing', () => {
      expect(
        compareStock(
          [sum('s1', 'A', 100), sum('s1', 'A', -3), sum('s1', 'A', -2, 'damaged')],
          [sum('s1', 'A', 97), sum('s1', 'A', -2, 'damaged')],
        ),
      ).toEqual([]);
    });

    it('fails on a movement counted twice or missing at the hub', () => {
      expect(compareStock([sum('s1', 'A', 100), sum('s1', 'A', -3)], [sum('s1', 'A', 94)])).toEqual([
        { kind: 'stock-differs', nodeId: 's1', sku: 'A', bucket: 'sellable', expected: 97, hub: 94 },
      ]);
      expect(compareStock([sum('s1', 'B', -1)], [])).toEqual([
        { kind: 'stock-differs', nodeId: 's1', sku: 'B', bucket: 'sellable', expected: -1, hub: 0 },
      ]);
    });
  });
});
