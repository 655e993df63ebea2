import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseOversellVictims, detectStockConditions } from './oversell';

describe('inventory/oversell', () => {
  describe('detectStockConditions', () => {
    it('reports nothing when sellable covers committed units', () => {
      expect(detectStockConditions({ sellable: 3, committed: 3 })).toEqual([]);
    });

    it('reports an oversell when sellable is below committed units', () => {
      expect(detectStockConditions({ sellable: 1, committed: 3 })).toEqual([
        { type: 'OVERSELL', shortBy: 2 },
      ]);
    });

    it('reports both an oversell and a negative balance when sellable went below zero', () => {
      expect(detectStockConditions({ sellable: -2, committed: 1 })).toEqual([
        { type: 'OVERSELL', shortBy: 1 },
        { type: 'NEGATIVE_SELLABLE', shortBy: 2 },
      ]);
    });

    it('reports only a negative balance when nothing was promised', () => {
      expect(detectStockConditions({ sellable: -2, committed: 0 })).toEqual([
        { type: 'NEGATIVE_SELLABLE', shortBy: 2 },
      ]);
    });
  });

  describe('chooseOversellVictims', () => {
    const candidates = [
      { reservationId: 'a', qty: 1, priority: 5, createdAt: 100 },
      { reservationId: 'b', qty: 2, priority: 1, createdAt: 100 },
      { reservationId: 'c', qty: 1, priority: 1, createdAt: 200 },
      { reservationId: 'd', qty: 3, priority: 9, createdAt: 300 },
    ];

    it('takes the lowest priority first, newest first, until the shortfall is covered', () => {
      expect(chooseOversellVictims(candidates, 2).map((v) => v.reservationId)).toEqual(['c', 'b']);
      expect(chooseOversellVictims(candidates, 4).map((v) => v.reservationId)).toEqual(['c', 'b', 'a']);
      expect(chooseOversellVictims(candidates, 0)).toEqual([]);
    });

    it('covers the shortfall with a minimal prefix, independent of input order', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(
            fc.record({
              reservationId: fc.string({ minLength: 1, maxLength: 4 }),
              qty: fc.integer({ min: 1, max: 5 }),
              priority: fc.integer({ min: 0, max: 3 }),
              createdAt: fc.nat(10),
            }),
            { selector: (c) => c.reservationId, maxLength: 12 },
          ),
          fc.nat(30),
          (list, shortBy) => {
            const victims = chooseOversellVictims(list, shortBy);
            const reversed = chooseOversellVictims([...list].reverse(), shortBy);
            expect(victims.map((v) => v.reservationId)).toEqual(reversed.map((v) => v.reservationId));
            const covered = victims.reduce((t, v) => t + v.qty, 0);
            const total = list.reduce((t, v) => t + v.qty, 0);
            expect(covered).toBeGreaterThanOrEqual(Math.min(shortBy, total));
            if (victims.length > 0) expect(covered - victims[victims.length - 1]!.qty).toBeLessThan(shortBy);
          },
        ),
      );
    });
  });
});
