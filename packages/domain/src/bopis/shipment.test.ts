import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { BopisOrderSchema } from './order';
import { sampleOrder } from './bopis.fixtures';
import { TrackingNumberSchema, captureAmountFor } from './shipment';

function order(lines: { qty: number; amount?: number }[], paid: number) {
  return BopisOrderSchema.parse(
    sampleOrder({
      lines: lines.map((line, index) => ({ lineId: `l${index}`, sku: `SKU-${index}`, ...line })),
      payment: { authorisationRef: 'pi_1', amount: paid, currency: 'EUR' },
    }),
  );
}

describe('shipment', () => {
  describe('captureAmountFor', () => {
    it('captures the whole authorisation when every unit ships', () => {
      const full = order([{ qty: 2, amount: 2000 }, { qty: 1 }], 3500);
      expect(
        captureAmountFor(full, [
          { lineId: 'l0', qty: 2 },
          { lineId: 'l1', qty: 1 },
        ]),
      ).toBe(3500);
    });

    it('takes off the missing units of a short line, rounding the deduction up', () => {
      const short = order(
        [
          { qty: 3, amount: 1000 },
          { qty: 1, amount: 500 },
        ],
        1995,
      );
      // 1 of 3 missing: 333.33 → 334 off; shipping (495) stays charged.
      expect(
        captureAmountFor(short, [
          { lineId: 'l0', qty: 2 },
          { lineId: 'l1', qty: 1 },
        ]),
      ).toBe(1661);
      expect(captureAmountFor(short, [{ lineId: 'l1', qty: 1 }])).toBe(995);
    });

    it('refuses a partial capture when the short line carries no amount', () => {
      const unpriced = order([{ qty: 2 }, { qty: 1, amount: 500 }], 1500);
      expect(() => captureAmountFor(unpriced, [{ lineId: 'l1', qty: 1 }])).toThrow(DomainError);
    });

    it('never captures more than authorised nor less than zero, and more shipped never costs less', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({ qty: fc.integer({ min: 1, max: 50 }), amount: fc.integer({ min: 0, max: 100_000 }) }),
            {
              minLength: 1,
              maxLength: 6,
            },
          ),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
          (lines, paid, picks) => {
            const parsed = order(lines, paid);
            const shipped = lines.map((line, index) => ({
              lineId: `l${index}`,
              qty: (picks[index] ?? 0) % (line.qty + 1),
            }));
            const capture = captureAmountFor(
              parsed,
              shipped.filter((line) => line.qty > 0),
            );
            expect(capture).toBeGreaterThanOrEqual(0);
            expect(capture).toBeLessThanOrEqual(paid);
            const more = shipped.map((line, index) => ({
              ...line,
              qty: Math.min(lines[index]!.qty, line.qty + 1),
            }));
            expect(captureAmountFor(parsed, more)).toBeGreaterThanOrEqual(capture);
          },
        ),
      );
    });
  });

  describe('TrackingNumberSchema', () => {
    it('normalises a scanned or typed tracking number and refuses junk', () => {
      expect(TrackingNumberSchema.parse(' 1z 999 aa1 0123456784 ')).toBe('1Z999AA10123456784');
      expect(TrackingNumberSchema.safeParse('12-34').success).toBe(false);
    });
  });
});
