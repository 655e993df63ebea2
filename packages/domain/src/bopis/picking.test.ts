import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickProgress, verifyPickScan } from './picking';

const line = { lineId: 'l1', sku: 'SKU-A', qty: 3, pickedQty: 0 };

describe('bopis/picking', () => {
  describe('verifyPickScan', () => {
    it('accepts the right item and says what is left', () => {
      expect(verifyPickScan(line, 'SKU-A', 2)).toEqual({
        ok: true,
        value: { lineId: 'l1', pickedQty: 2, remainingQty: 1, complete: false },
      });
      expect(verifyPickScan({ ...line, pickedQty: 2 }, 'SKU-A', 1)).toEqual({
        ok: true,
        value: { lineId: 'l1', pickedQty: 3, remainingQty: 0, complete: true },
      });
    });

    it('refuses the wrong item, naming the one to pick', () => {
      expect(verifyPickScan(line, 'SKU-B', 1)).toEqual({
        ok: false,
        error: {
          code: 'NOT_ALLOWED',
          message: 'Wrong item: line l1 needs SKU SKU-A, this is SKU SKU-B. Put it back and pick SKU SKU-A.',
          key: 'bopis.wrongItemLineNeeds',
          params: { lineId: 'l1', sku: 'SKU-A', scannedSku: 'SKU-B' },
          details: { lineId: 'l1', expectedSku: 'SKU-A', scannedSku: 'SKU-B' },
        },
      });
    });

    it('refuses an over-pick, on a complete line too', () => {
      expect(verifyPickScan({ ...line, pickedQty: 1 }, 'SKU-A', 3)).toMatchObject({
        ok: false,
        error: {
          code: 'LIMIT_EXCEEDED',
          message: 'Line l1 needs only 2 more of SKU SKU-A; 3 were scanned. Put the extra back.',
        },
      });
      expect(verifyPickScan({ ...line, pickedQty: 3 }, 'SKU-A', 1)).toMatchObject({
        ok: false,
        error: { message: 'Line l1 is already complete (3 × SKU SKU-A). Put the extra item back.' },
      });
    });

    it('refuses a quantity that is not a whole positive number', () => {
      for (const qty of [0, -1, 1.5, Number.NaN]) {
        expect(verifyPickScan(line, 'SKU-A', qty)).toMatchObject({
          ok: false,
          error: { code: 'INVALID_INPUT' },
        });
      }
    });

    it('never lets a sequence of scans pick more than ordered, and counts every accepted unit', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 20 }),
          fc.array(
            fc.record({ sku: fc.constantFrom('SKU-A', 'SKU-B'), qty: fc.integer({ min: 1, max: 6 }) }),
          ),
          (qty, scans) => {
            let current = { ...line, qty };
            let accepted = 0;
            for (const scan of scans) {
              const result = verifyPickScan(current, scan.sku, scan.qty);
              if (!result.ok) continue;
              accepted += scan.qty;
              current = { ...current, pickedQty: result.value.pickedQty };
            }
            expect(current.pickedQty).toBe(accepted);
            expect(current.pickedQty).toBeLessThanOrEqual(qty);
          },
        ),
      );
    });
  });

  describe('pickProgress', () => {
    const lines = [
      { lineId: 'a', sku: 'A', qty: 2, pickedQty: 2, shortPicked: false },
      { lineId: 'b', sku: 'B', qty: 1, pickedQty: 0, shortPicked: false },
    ];

    it('is in progress while a line is neither picked nor short', () => {
      expect(pickProgress(lines)).toEqual({
        outcome: 'in_progress',
        pickedLineIds: ['a'],
        shortLineIds: [],
        outstandingLineIds: ['b'],
      });
    });

    it('is ready when every line is fully picked and short when the rest were short-picked', () => {
      expect(pickProgress([lines[0]!, { ...lines[1]!, pickedQty: 1 }]).outcome).toBe('ready');
      expect(pickProgress([lines[0]!, { ...lines[1]!, shortPicked: true }])).toMatchObject({
        outcome: 'short',
        shortLineIds: ['b'],
      });
    });
  });
});
