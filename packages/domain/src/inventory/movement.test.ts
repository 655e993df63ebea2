import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyBalances, onHand, projectBalances, type Movement } from './movement';

const move = (movementId: string, bucket: Movement['bucket'], delta: number): Movement => ({
  movementId,
  nodeId: 'S1',
  sku: 'A',
  type: 'ADJUSTMENT',
  bucket,
  delta,
});

describe('inventory/movement', () => {
  describe('projectBalances', () => {
    it('sums deltas per bucket and on-hand excludes in transit', () => {
      const balances = projectBalances([
        move('m1', 'sellable', 10),
        move('m2', 'sellable', -3),
        move('m3', 'damaged', 1),
        move('m4', 'in_transit', 5),
      ]);
      expect(balances).toEqual({ ...emptyBalances(), sellable: 7, damaged: 1, in_transit: 5 });
      expect(onHand(balances)).toBe(8);
    });

    it('refuses fractional quantities', () => {
      expect(() => projectBalances([move('m1', 'sellable', 0.5)])).toThrow(/whole number/);
    });

    it('is idempotent: replaying any movement changes nothing', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.constantFrom('sellable', 'staged', 'damaged') as fc.Arbitrary<Movement['bucket']>,
              fc.integer({ min: -50, max: 50 }),
            ),
          ),
          fc.array(fc.nat()),
          (entries, replays) => {
            const movements = entries.map(([bucket, delta], i) => move(`m${i}`, bucket, delta));
            const replayed = [
              ...movements,
              ...replays.flatMap((r) => (movements.length ? [movements[r % movements.length]!] : [])),
            ];
            expect(projectBalances(replayed)).toEqual(projectBalances(movements));
          },
        ),
      );
    });
  });
});
