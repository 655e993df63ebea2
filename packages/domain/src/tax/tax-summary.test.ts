import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors';
import { money } from '../money';
import { computeLineTax } from './line-tax';
import { summarizeTax } from './tax-summary';
import type { TaxRateRef } from './tax-rate';

const usd = (amount: number) => money(amount, 'USD');
const state: TaxRateRef = { rateId: 'ny-state', name: 'NY State', percent: 4 };
const city: TaxRateRef = { rateId: 'nyc-city', name: 'NYC', percent: 4.5 };
const food: TaxRateRef = { rateId: 'food', name: 'Food', percent: 2 };
const rateTable = [state, city, food, { rateId: 'state-new', name: 'NY State', percent: 4.25 }];

describe('tax-summary', () => {
  describe('summarizeTax', () => {
    it('groups per rate with the taxable net of the lines it was charged on', () => {
      const lines = [
        computeLineTax(usd(1_000), [state, city], { inclusive: false }),
        computeLineTax(usd(500), [state], { inclusive: false }),
        computeLineTax(usd(300), [], { inclusive: false }),
      ];
      const summary = summarizeTax(lines, 'USD');
      expect(summary.rows).toEqual([
        { rateId: 'ny-state', name: 'NY State', percent: 4, taxable: usd(1_500), tax: usd(60) },
        { rateId: 'nyc-city', name: 'NYC', percent: 4.5, taxable: usd(1_000), tax: usd(45) },
      ]);
      expect(summary.net).toEqual(usd(1_800));
      expect(summary.untaxed).toEqual(usd(300));
      expect(summary.tax).toEqual(usd(105));
      expect(summary.gross).toEqual(usd(1_905));
    });

    it('keeps one rate at two percents apart', () => {
      const lines = [
        computeLineTax(usd(1_000), [{ rateId: 'ny-state', name: 'NY State', percent: 4.25 }], {
          inclusive: false,
        }),
        computeLineTax(usd(1_000), [state], { inclusive: false }),
      ];
      const summary = summarizeTax(lines, 'USD');
      expect(summary.rows.map((row) => [row.rateId, row.percent, row.tax.amount])).toEqual([
        ['ny-state', 4, 40],
        ['ny-state', 4.25, 43],
      ]);
    });

    it('summarises an empty sale as zeros in its currency', () => {
      const summary = summarizeTax([], 'JPY');
      expect(summary.rows).toEqual([]);
      expect(summary.gross).toEqual(money(0, 'JPY'));
    });

    it('refuses lines in another currency', () => {
      const line = computeLineTax(money(100, 'EUR'), [state], { inclusive: false });
      try {
        summarizeTax([line], 'USD');
        expect.unreachable();
      } catch (error) {
        expect((error as DomainError).code).toBe('CURRENCY_MISMATCH');
      }
    });

    it('has row taxes summing exactly to the line taxes, and taxable amounts matching the lines', () => {
      const lineArb = fc.record({
        amount: fc.integer({ min: 0, max: 1_000_000 }),
        inclusive: fc.boolean(),
        rates: fc.subarray(rateTable.slice(0, 3)),
      });
      fc.assert(
        fc.property(fc.array(lineArb, { maxLength: 20 }), (inputs) => {
          const lines = inputs.map((input) => computeLineTax(usd(input.amount), input.rates, input));
          const summary = summarizeTax(lines, 'USD');
          const lineTax = lines.reduce((total, line) => total + line.tax.amount, 0);
          expect(summary.rows.reduce((total, row) => total + row.tax.amount, 0)).toBe(lineTax);
          expect(summary.tax.amount).toBe(lineTax);
          expect(summary.net.amount + summary.tax.amount).toBe(summary.gross.amount);
          for (const row of summary.rows) {
            const charged = lines.filter((line) => line.taxes.some((tax) => tax.rateId === row.rateId));
            expect(row.taxable.amount).toBe(charged.reduce((total, line) => total + line.net.amount, 0));
          }
          const untaxed = lines.filter((line) => line.taxes.length === 0);
          expect(summary.untaxed.amount).toBe(untaxed.reduce((total, line) => total + line.net.amount, 0));
        }),
      );
    });

    it('does not depend on line order', () => {
      const lines = [
        computeLineTax(usd(999), [state, city], { inclusive: true }),
        computeLineTax(usd(450), [food], { inclusive: false }),
        computeLineTax(usd(120), [city], { inclusive: false }),
      ];
      fc.assert(
        fc.property(fc.shuffledSubarray(lines, { minLength: lines.length }), (shuffled) => {
          expect(summarizeTax(shuffled, 'USD')).toEqual(summarizeTax(lines, 'USD'));
        }),
      );
    });
  });
});
