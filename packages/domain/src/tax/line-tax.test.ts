import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money, ROUNDING_MODES } from '../money';
import { computeLineTax } from './line-tax';
import type { TaxRateRef } from './tax-rate';

const usd = (amount: number) => money(amount, 'USD');
const state: TaxRateRef = { rateId: 'ny-state', name: 'NY State', percent: 4 };
const city: TaxRateRef = { rateId: 'nyc-city', name: 'NYC', percent: 4.5 };
const mctd: TaxRateRef = { rateId: 'nyc-mctd', name: 'MCTD', percent: 0.375 };

/** Realistic percents with up to 4 decimals, 0 to 99.9999 %. */
const percentArb = fc.integer({ min: 0, max: 999_999 }).map((scaled) => scaled / 10_000);
const ratesArb = (maxLength: number) =>
  fc
    .array(percentArb, { minLength: 1, maxLength })
    .map((percents) =>
      percents.map((percent, index) => ({ rateId: `r${index}`, name: `Rate ${index}`, percent })),
    );
const currencyArb = fc.constantFrom('USD', 'JPY', 'KWD');

describe('line-tax', () => {
  describe('computeLineTax', () => {
    it('charges each rate on the net when prices exclude tax', () => {
      const result = computeLineTax(usd(10_000), [state, city, mctd], { inclusive: false });
      expect(result.taxes.map((row) => row.amount.amount)).toEqual([400, 450, 38]);
      expect(result.tax).toEqual(usd(888));
      expect(result.net).toEqual(usd(10_000));
      expect(result.gross).toEqual(usd(10_888));
      expect(result.inclusive).toBe(false);
    });

    it('rounds each rate of an exclusive line half up by default and honours another mode', () => {
      // 0.375 % of 1.00 is 0.375 cents.
      expect(computeLineTax(usd(100), [mctd], { inclusive: false }).tax).toEqual(usd(0));
      expect(computeLineTax(usd(200), [mctd], { inclusive: false }).tax).toEqual(usd(1));
      expect(computeLineTax(usd(100), [mctd], { inclusive: false, rounding: 'UP' }).tax).toEqual(usd(1));
    });

    it('backs the tax out of an inclusive price and splits it by percent', () => {
      // 10.00 at 20 % + 5 %: net = 1000 × 100 / 125 = 800, tax 200 split 160 / 40.
      const result = computeLineTax(
        money(1_000, 'EUR'),
        [
          { rateId: 'vat', name: 'VAT', percent: 20 },
          { rateId: 'eco', name: 'Eco', percent: 5 },
        ],
        { inclusive: true },
      );
      expect(result.net).toEqual(money(800, 'EUR'));
      expect(result.taxes.map((row) => row.amount.amount)).toEqual([160, 40]);
      expect(result.gross).toEqual(money(1_000, 'EUR'));
      expect(result.inclusive).toBe(true);
    });

    it('rounds the inclusive net once and keeps net + tax = gross', () => {
      // 9.99 at 8.875 %: 999 / 1.08875 = 917.56 → 918, tax 81.
      const result = computeLineTax(usd(999), [state, city, mctd], { inclusive: true });
      expect(result.net).toEqual(usd(918));
      expect(result.tax).toEqual(usd(81));
      expect(result.taxes.reduce((total, row) => total + row.amount.amount, 0)).toBe(81);
    });

    it('returns no tax and net = gross when no rate applies', () => {
      for (const inclusive of [true, false]) {
        const result = computeLineTax(usd(1_234), [], { inclusive });
        expect(result.tax).toEqual(usd(0));
        expect(result.net).toEqual(usd(1_234));
        expect(result.gross).toEqual(usd(1_234));
        expect(result.taxes).toEqual([]);
      }
    });

    it('handles zero-rated rates on inclusive lines', () => {
      const result = computeLineTax(usd(500), [{ rateId: 'zero', name: 'Zero', percent: 0 }], {
        inclusive: true,
      });
      expect(result.net).toEqual(usd(500));
      expect(result.taxes[0]?.amount).toEqual(usd(0));
    });

    it('works in zero- and three-decimal currencies', () => {
      expect(
        computeLineTax(money(1_080, 'JPY'), [{ rateId: 'jp', name: 'JP', percent: 8 }], { inclusive: true })
          .net,
      ).toEqual(money(1_000, 'JPY'));
      expect(
        computeLineTax(money(1_000, 'KWD'), [{ rateId: 'kw', name: 'KW', percent: 5 }], { inclusive: false })
          .tax,
      ).toEqual(money(50, 'KWD'));
    });

    it('keeps negative lines symmetric so a refund line mirrors its sale', () => {
      const sale = computeLineTax(usd(999), [state, city, mctd], { inclusive: true });
      const refund = computeLineTax(usd(-999), [state, city, mctd], { inclusive: true });
      expect(refund.net.amount).toBe(-sale.net.amount);
      expect(refund.taxes.map((row) => row.amount.amount)).toEqual(
        sale.taxes.map((row) => -row.amount.amount),
      );
    });

    it('refuses a rate listed twice, a negative percent and a percent with too many decimals', () => {
      const expectInvalid = (rates: TaxRateRef[], pattern: RegExp) => {
        try {
          computeLineTax(usd(100), rates, { inclusive: false });
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('INVALID_INPUT');
          expect((error as DomainError).message).toMatch(pattern);
        }
      };
      expectInvalid([state, state], /listed twice/);
      expectInvalid([{ rateId: 'neg', name: 'Neg', percent: -1 }], /negative percent/);
      expectInvalid([{ rateId: 'odd', name: 'Odd', percent: 1.23456 }], /at most 4 decimal places/);
    });

    it('refuses an amount that is not whole minor units', () => {
      expect(() => computeLineTax({ amount: 1.5, currency: 'USD' }, [state], { inclusive: false })).toThrow(
        DomainError,
      );
    });

    it('always has net + Σ rows = gross, for both directions and every rounding mode', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -10_000_000, max: 10_000_000 }),
          ratesArb(5),
          fc.boolean(),
          fc.constantFrom(...ROUNDING_MODES),
          currencyArb,
          (amount, rates, inclusive, rounding, currency) => {
            const result = computeLineTax(money(amount, currency), rates, { inclusive, rounding });
            const rows = result.taxes.reduce((total, row) => total + row.amount.amount, 0);
            expect(rows).toBe(result.tax.amount);
            expect(result.net.amount + result.tax.amount).toBe(result.gross.amount);
            expect(inclusive ? result.gross.amount : result.net.amount).toBe(amount);
          },
        ),
      );
    });

    it('keeps the reverse computation within one minor unit per rate of the forward tax of its net', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 100_000_000 }), ratesArb(5), (gross, rates) => {
          const reverse = computeLineTax(usd(gross), rates, { inclusive: true });
          const forward = computeLineTax(reverse.net, rates, { inclusive: false });
          expect(Math.abs(forward.tax.amount - reverse.tax.amount)).toBeLessThanOrEqual(rates.length);
          reverse.taxes.forEach((row, index) => {
            const forwardRow = forward.taxes[index]?.amount.amount ?? Number.NaN;
            expect(Math.abs(forwardRow - row.amount.amount)).toBeLessThanOrEqual(2);
          });
        }),
      );
    });

    it('keeps a single-rate reverse computation within one minor unit, rows and total, up to 199 %', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 100_000_000 }),
          fc.integer({ min: 0, max: 1_999_999 }).map((scaled) => scaled / 10_000),
          (gross, percent) => {
            const rates = [{ rateId: 'only', name: 'Only', percent }];
            const reverse = computeLineTax(usd(gross), rates, { inclusive: true });
            const forward = computeLineTax(reverse.net, rates, { inclusive: false });
            expect(Math.abs(forward.tax.amount - reverse.tax.amount)).toBeLessThanOrEqual(1);
          },
        ),
      );
    });

    it('gives the exclusive price back when an exclusive gross is reversed, within the same bound', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 100_000_000 }), ratesArb(3), (net, rates) => {
          const forward = computeLineTax(usd(net), rates, { inclusive: false });
          const reverse = computeLineTax(forward.gross, rates, { inclusive: true });
          expect(Math.abs(reverse.net.amount - net)).toBeLessThanOrEqual(rates.length);
        }),
      );
    });
  });
});
