import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBatchOrder, planBatch } from './batch-plan';

const ev = (deviceSeq: number) => ({ eventId: `e${deviceSeq}`, deviceSeq });

describe('server/batch-plan', () => {
  describe('planBatch', () => {
    it('applies the contiguous run after lastSeq', () => {
      expect(planBatch(2, [ev(3), ev(4)])).toEqual({ duplicates: [], toApply: [ev(3), ev(4)], refused: [] });
    });

    it('acknowledges events at or below lastSeq again as duplicates', () => {
      expect(planBatch(4, [ev(3), ev(4), ev(5)])).toEqual({
        duplicates: [ev(3), ev(4)],
        toApply: [ev(5)],
        refused: [],
      });
    });

    it('refuses everything from a gap on and says where to resume', () => {
      expect(planBatch(1, [ev(2), ev(4), ev(5)])).toEqual({
        duplicates: [],
        toApply: [ev(2)],
        refused: [ev(4), ev(5)],
        gap: { expected: 3, received: 4 },
      });
    });

    it('partitions any ordered batch into duplicates, a contiguous run and the refused tail', () => {
      fc.assert(
        fc.property(
          fc.nat(20),
          fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
          (lastSeq, seqs) => {
            const events = [...seqs].sort((a, b) => a - b).map(ev);
            const plan = planBatch(lastSeq, events);
            expect([...plan.duplicates, ...plan.toApply, ...plan.refused]).toEqual(events);
            plan.duplicates.forEach((e) => expect(e.deviceSeq).toBeLessThanOrEqual(lastSeq));
            plan.toApply.forEach((e, i) => expect(e.deviceSeq).toBe(lastSeq + 1 + i));
            if (plan.refused.length > 0) {
              expect(plan.gap).toEqual({
                expected: lastSeq + plan.toApply.length + 1,
                received: plan.refused[0]!.deviceSeq,
              });
            } else {
              expect(plan.gap).toBeUndefined();
            }
          },
        ),
      );
    });
  });

  describe('assertBatchOrder', () => {
    it('refuses a batch that is not strictly increasing, naming the field', () => {
      expect(() => assertBatchOrder([ev(2), ev(2)])).toThrow(/ordered by increasing deviceSeq; 2 follows 2/);
      expect(() => assertBatchOrder([ev(3), ev(1)])).toThrow(/1 follows 3/);
      expect(() => assertBatchOrder([ev(1), ev(3)])).not.toThrow();
    });
  });
});
