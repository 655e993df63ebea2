import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { assertCanReserve, networkAtp, nodeAtp } from './atp';

describe('inventory/atp', () => {
  describe('nodeAtp', () => {
    it('subtracts committed units and safety stock from sellable', () => {
      expect(nodeAtp({ sellable: 10, committed: 3, safetyStock: 2 })).toBe(5);
    });

    it('is never negative and never more than sellable', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1000, max: 1000 }),
          fc.nat(1000),
          fc.nat(1000),
          (sellable, committed, safetyStock) => {
            const atp = nodeAtp({ sellable, committed, safetyStock });
            expect(atp).toBeGreaterThanOrEqual(0);
            expect(atp).toBeLessThanOrEqual(Math.max(0, sellable));
            expect(atp).toBe(Math.max(0, sellable - committed - safetyStock));
          },
        ),
      );
    });

    it('refuses fractional quantities', () => {
      expect(() => nodeAtp({ sellable: 1.5, committed: 0, safetyStock: 0 })).toThrow(/whole number/);
    });
  });

  describe('networkAtp', () => {
    it('sums only eligible nodes', () => {
      const result = networkAtp([
        { nodeId: 'A', eligible: true, sellable: 5, committed: 1, safetyStock: 1 },
        { nodeId: 'B', eligible: false, sellable: 50, committed: 0, safetyStock: 0 },
        { nodeId: 'C', eligible: true, sellable: 1, committed: 4, safetyStock: 0 },
      ]);
      expect(result).toEqual({
        total: 3,
        byNode: [
          { nodeId: 'A', atp: 3 },
          { nodeId: 'C', atp: 0 },
        ],
      });
    });
  });

  describe('assertCanReserve', () => {
    const level = { sellable: 4, committed: 1, safetyStock: 1 };
    it('allows a reservation up to ATP', () => {
      expect(assertCanReserve(level, { qty: 2, sku: 'S', nodeId: 'N' })).toBe(2);
    });

    it('refuses beyond ATP with INSUFFICIENT_STOCK and what is available', () => {
      try {
        assertCanReserve(level, { qty: 3, sku: 'S', nodeId: 'N' });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('INSUFFICIENT_STOCK');
        expect((error as DomainError).details).toMatchObject({ available: 2, requested: 3 });
      }
    });

    it('lets an explicit backorder exceed ATP', () => {
      expect(assertCanReserve(level, { qty: 30, sku: 'S', nodeId: 'N', allowBeyondAtp: true })).toBe(2);
    });

    it('refuses a non-positive quantity', () => {
      expect(() => assertCanReserve(level, { qty: 0, sku: 'S', nodeId: 'N' })).toThrow(/greater than zero/);
    });
  });
});
