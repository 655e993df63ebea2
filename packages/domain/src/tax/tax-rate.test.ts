import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { TaxRateSchema, isRateInEffect, ratesFor, type TaxRate } from './tax-rate';

const rate = (overrides: Partial<TaxRate> & Pick<TaxRate, 'rateId'>): TaxRate => ({
  name: overrides.rateId,
  jurisdictionId: 'US-NY-NYC',
  taxCategory: 'general',
  percent: 4,
  ...overrides,
});

describe('tax-rate', () => {
  describe('TaxRateSchema', () => {
    it('accepts a rate with four decimals and a window', () => {
      const parsed = TaxRateSchema.parse({
        rateId: 'ny-city',
        name: 'NYC',
        jurisdictionId: 'US-NY-NYC',
        taxCategory: 'general',
        percent: 8.875,
        startsAt: 1_000,
        endsAt: 2_000,
      });
      expect(parsed.percent).toBe(8.875);
    });

    it('refuses more than four decimals, negative percents and absurd percents', () => {
      const base = { rateId: 'r', name: 'R', jurisdictionId: 'J', taxCategory: 'c' };
      expect(TaxRateSchema.safeParse({ ...base, percent: 8.87501 }).success).toBe(false);
      expect(TaxRateSchema.safeParse({ ...base, percent: -1 }).success).toBe(false);
      expect(TaxRateSchema.safeParse({ ...base, percent: 1001 }).success).toBe(false);
      expect(TaxRateSchema.safeParse({ ...base, percent: 0 }).success).toBe(true);
    });

    it('refuses a window that ends before it starts', () => {
      const result = TaxRateSchema.safeParse({
        rateId: 'r',
        name: 'R',
        jurisdictionId: 'J',
        taxCategory: 'c',
        percent: 5,
        startsAt: 2_000,
        endsAt: 2_000,
      });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('A tax rate must start before it ends.');
    });
  });

  describe('isRateInEffect', () => {
    it('treats the window as [startsAt, endsAt)', () => {
      const windowed = { startsAt: 100, endsAt: 200 };
      expect(isRateInEffect(windowed, 99)).toBe(false);
      expect(isRateInEffect(windowed, 100)).toBe(true);
      expect(isRateInEffect(windowed, 199)).toBe(true);
      expect(isRateInEffect(windowed, 200)).toBe(false);
      expect(isRateInEffect({}, -5)).toBe(true);
    });
  });

  describe('ratesFor', () => {
    const rates: TaxRate[] = [
      rate({ rateId: 'ny-state', jurisdictionId: 'US-NY', percent: 4 }),
      rate({ rateId: 'nyc-city', percent: 4.5 }),
      rate({ rateId: 'nyc-mctd', percent: 0.375 }),
      rate({ rateId: 'nyc-food', taxCategory: 'food', percent: 0 }),
      rate({ rateId: 'nyc-old', percent: 4.25, endsAt: 1_000 }),
      rate({ rateId: 'nyc-future', percent: 5, startsAt: 5_000 }),
      rate({ rateId: 'nj-state', jurisdictionId: 'US-NJ', percent: 6.625 }),
    ];

    it('returns every rate of the category in the jurisdiction at that moment, sorted by rateId', () => {
      const found = ratesFor(rates, { jurisdictionId: 'US-NY-NYC', taxCategory: 'general', at: 2_000 });
      expect(found.map((r) => r.rateId)).toEqual(['nyc-city', 'nyc-mctd']);
    });

    it('combines nested jurisdictions when given several', () => {
      const found = ratesFor(rates, {
        jurisdictionId: ['US-NY', 'US-NY-NYC'],
        taxCategory: 'general',
        at: 2_000,
      });
      expect(found.map((r) => r.rateId)).toEqual(['ny-state', 'nyc-city', 'nyc-mctd']);
    });

    it('honours the window boundaries exactly', () => {
      const ids = (at: number) =>
        ratesFor(rates, { jurisdictionId: 'US-NY-NYC', taxCategory: 'general', at }).map((r) => r.rateId);
      expect(ids(999)).toContain('nyc-old');
      expect(ids(1_000)).not.toContain('nyc-old');
      expect(ids(4_999)).not.toContain('nyc-future');
      expect(ids(5_000)).toContain('nyc-future');
    });

    it('returns an empty list for an untaxed category', () => {
      expect(ratesFor(rates, { jurisdictionId: 'US-NY-NYC', taxCategory: 'books', at: 0 })).toEqual([]);
    });

    it('refuses a rate table where the same rate is in effect twice', () => {
      const overlapping = [rate({ rateId: 'dup', endsAt: 3_000 }), rate({ rateId: 'dup', startsAt: 2_000 })];
      expect(
        ratesFor(overlapping, { jurisdictionId: 'US-NY-NYC', taxCategory: 'general', at: 1_000 }),
      ).toHaveLength(1);
      try {
        ratesFor(overlapping, { jurisdictionId: 'US-NY-NYC', taxCategory: 'general', at: 2_500 });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('CONFLICT');
        expect((error as DomainError).message).toMatch(/Tax rate dup is in effect twice/);
      }
    });

    it('refuses a sale time that is not whole milliseconds', () => {
      expect(() => ratesFor(rates, { jurisdictionId: 'US-NY-NYC', taxCategory: 'general', at: 1.5 })).toThrow(
        /whole number of milliseconds/,
      );
    });

    it('does not depend on the order of the rate table', () => {
      fc.assert(
        fc.property(
          fc.shuffledSubarray(rates, { minLength: rates.length }),
          fc.integer({ min: 0, max: 6_000 }),
          (shuffled, at) => {
            const context = { jurisdictionId: ['US-NY', 'US-NY-NYC'], taxCategory: 'general', at };
            expect(ratesFor(shuffled, context)).toEqual(ratesFor(rates, context));
          },
        ),
      );
    });
  });
});
