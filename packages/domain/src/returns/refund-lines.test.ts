import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { refundForLines, type PriorReturnLine, type ReturnableLine } from './refund-lines';
import { errorOf } from '../test-support';

const eur = (amount: number) => money(amount, 'EUR');
const mugs: ReturnableLine = { lineId: 'L1', sku: 'MUG', qty: 3, paid: eur(1_000) };
const bananas: ReturnableLine = { lineId: 'L2', sku: 'BANANA', qty: 1_250, unit: 'kg', paid: eur(299) };
const taxed: ReturnableLine = {
  lineId: 'L3',
  sku: 'LAMP',
  qty: 3,
  paid: eur(1_190),
  taxes: [
    { rateId: 'vat', amount: eur(170) },
    { rateId: 'eco', amount: eur(20) },
  ],
};

describe('refund-lines', () => {
  describe('refundForLines', () => {
    it('refunds exactly what was paid when the whole line comes back', () => {
      const result = refundForLines([mugs], [], [{ lineId: 'L1', qty: 3 }]);
      expect(result.total).toEqual(eur(1_000));
      expect(result.lines[0]).toMatchObject({
        lineId: 'L1',
        sku: 'MUG',
        unit: 'each',
        qty: 3,
        returnableAfter: 0,
      });
    });

    it('gives early partial returns the rounded-down share and the last unit the remainder', () => {
      const prior: PriorReturnLine[] = [];
      const refunds = [1, 1, 1].map((qty) => {
        const refund = refundForLines([mugs], prior, [{ lineId: 'L1', qty }]).total;
        prior.push({ originalLineId: 'L1', qty, refund });
        return refund.amount;
      });
      expect(refunds).toEqual([333, 333, 334]);
    });

    it('counts a line requested twice in one return as two returns in a row', () => {
      const result = refundForLines(
        [mugs],
        [],
        [
          { lineId: 'L1', qty: 1 },
          { lineId: 'L1', qty: 2 },
        ],
      );
      expect(result.lines.map((line) => line.refund.amount)).toEqual([333, 667]);
      expect(result.lines.map((line) => line.returnableAfter)).toEqual([2, 0]);
    });

    it('refunds weighed items by the gram', () => {
      const result = refundForLines([bananas], [], [{ lineId: 'L2', qty: 500 }]);
      // 2.99 × 500 / 1250 = 1.196 → 1.19
      expect(result.total).toEqual(eur(119));
      expect(result.lines[0]?.unit).toBe('kg');
    });

    it('reports the tax given back per rate, summing to the line tax once everything is back', () => {
      const first = refundForLines([taxed], [], [{ lineId: 'L3', qty: 1 }]);
      expect(first.lines[0]?.taxes).toEqual([
        { rateId: 'vat', amount: eur(56) },
        { rateId: 'eco', amount: eur(6) },
      ]);
      const rest = refundForLines(
        [taxed],
        [{ originalLineId: 'L3', qty: 1, refund: first.total }],
        [{ lineId: 'L3', qty: 2 }],
      );
      expect(rest.lines[0]?.taxes).toEqual([
        { rateId: 'vat', amount: eur(114) },
        { rateId: 'eco', amount: eur(14) },
      ]);
      expect(first.total.amount + rest.total.amount).toBe(1_190);
    });

    it('refuses more than was sold minus what came back, in words the cashier can act on', () => {
      const error = errorOf(() =>
        refundForLines(
          [mugs],
          [{ originalLineId: 'L1', qty: 1, refund: eur(333) }],
          [{ lineId: 'L1', qty: 3 }],
        ),
      );
      expect(error.code).toBe('RETURN_EXCEEDS_SOLD');
      expect(error.message).toBe('You can return at most 2 of SKU MUG: 3 sold, 1 already returned.');
    });

    it('says so when everything was already returned, and speaks kilograms for weighed items', () => {
      expect(
        errorOf(() =>
          refundForLines(
            [mugs],
            [{ originalLineId: 'L1', qty: 3, refund: eur(1_000) }],
            [{ lineId: 'L1', qty: 1 }],
          ),
        ).message,
      ).toBe('Everything of SKU MUG on this receipt has already been returned: 3 sold, 3 already returned.');
      expect(
        errorOf(() =>
          refundForLines(
            [bananas],
            [{ originalLineId: 'L2', qty: 1_000, refund: eur(239) }],
            [{ lineId: 'L2', qty: 300 }],
          ),
        ).message,
      ).toBe('You can return at most 0.250 kg of SKU BANANA: 1.250 kg sold, 1.000 kg already returned.');
    });

    it('treats over-returned history (two stores offline) as nothing left, never a negative refund', () => {
      const error = errorOf(() =>
        refundForLines(
          [mugs],
          [{ originalLineId: 'L1', qty: 4, refund: eur(1_333) }],
          [{ lineId: 'L1', qty: 1 }],
        ),
      );
      expect(error.code).toBe('RETURN_EXCEEDS_SOLD');
      const overRefunded = refundForLines(
        [mugs],
        [{ originalLineId: 'L1', qty: 1, refund: eur(900) }],
        [{ lineId: 'L1', qty: 1 }],
      );
      expect(overRefunded.total).toEqual(eur(0));
      const last = refundForLines(
        [mugs],
        [{ originalLineId: 'L1', qty: 2, refund: eur(900) }],
        [{ lineId: 'L1', qty: 1 }],
      );
      expect(last.total).toEqual(eur(100));
    });

    it('refuses unknown lines, an empty return and bad quantities', () => {
      expect(errorOf(() => refundForLines([mugs], [], [{ lineId: 'nope', qty: 1 }])).message).toBe(
        'Line nope is not on this receipt.',
      );
      expect(errorOf(() => refundForLines([mugs], [], [])).message).toBe(
        'Choose at least one item to return.',
      );
      expect(errorOf(() => refundForLines([], [], [{ lineId: 'L1', qty: 1 }])).code).toBe('NOT_FOUND');
      expect(errorOf(() => refundForLines([mugs], [], [{ lineId: 'L1', qty: 0 }])).message).toMatch(
        /quantity to return of SKU MUG must be a positive whole number/,
      );
      expect(errorOf(() => refundForLines([mugs], [], [{ lineId: 'L1', qty: 1.5 }])).code).toBe(
        'INVALID_INPUT',
      );
    });

    it('refuses an inconsistent original sale or history', () => {
      expect(errorOf(() => refundForLines([mugs, mugs], [], [{ lineId: 'L1', qty: 1 }])).message).toMatch(
        /appears twice/,
      );
      expect(
        errorOf(() => refundForLines([{ ...mugs, paid: eur(-1) }], [], [{ lineId: 'L1', qty: 1 }])).message,
      ).toMatch(/negative paid amount/);
      expect(
        errorOf(() =>
          refundForLines(
            [mugs],
            [{ originalLineId: 'X', qty: 1, refund: eur(1) }],
            [{ lineId: 'L1', qty: 1 }],
          ),
        ).code,
      ).toBe('CONFLICT');
      expect(
        errorOf(() =>
          refundForLines([mugs, { ...bananas, paid: money(299, 'USD') }], [], [{ lineId: 'L1', qty: 1 }]),
        ).code,
      ).toBe('CURRENCY_MISMATCH');
      expect(
        errorOf(() =>
          refundForLines(
            [mugs],
            [{ originalLineId: 'L1', qty: 1, refund: money(1, 'USD') }],
            [{ lineId: 'L1', qty: 1 }],
          ),
        ).code,
      ).toBe('CURRENCY_MISMATCH');
    });

    const lineArb = fc.record({
      qty: fc.integer({ min: 1, max: 2_000 }),
      paid: fc.integer({ min: 0, max: 5_000_000 }),
      unit: fc.constantFrom('each' as const, 'kg' as const),
    });

    it('never refunds more than paid per line over random partial returns, and exactly paid when all is back', () => {
      fc.assert(
        fc.property(
          fc.array(lineArb, { minLength: 1, maxLength: 5 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 1_000 })), { maxLength: 12 }),
          (specs, picks) => {
            const lines: ReturnableLine[] = specs.map((spec, index) => ({
              lineId: `L${index}`,
              sku: `SKU${index}`,
              qty: spec.qty,
              unit: spec.unit,
              paid: eur(spec.paid),
            }));
            const history: PriorReturnLine[] = [];
            const returned = lines.map(() => 0);
            const returnOne = (index: number, qty: number) => {
              const line = lines[index];
              if (!line) return;
              const result = refundForLines(lines, history, [{ lineId: line.lineId, qty }]);
              const refund = result.total;
              expect(refund.amount).toBeGreaterThanOrEqual(0);
              history.push({ originalLineId: line.lineId, qty, refund });
              returned[index] = (returned[index] ?? 0) + qty;
              const refundedSoFar = history
                .filter((prior) => prior.originalLineId === line.lineId)
                .reduce((total, prior) => total + prior.refund.amount, 0);
              expect(refundedSoFar).toBeLessThanOrEqual(line.paid.amount);
            };
            for (const [pick, perMille] of picks) {
              const index = pick % lines.length;
              const left = (lines[index]?.qty ?? 0) - (returned[index] ?? 0);
              if (left === 0) continue;
              returnOne(index, Math.max(1, Math.floor((left * perMille) / 1_000)));
            }
            lines.forEach((line, index) => {
              const left = line.qty - (returned[index] ?? 0);
              if (left > 0) returnOne(index, left);
              const refunded = history
                .filter((prior) => prior.originalLineId === line.lineId)
                .reduce((total, prior) => total + prior.refund.amount, 0);
              expect(refunded).toBe(line.paid.amount);
            });
          },
        ),
      );
    });
  });
});
