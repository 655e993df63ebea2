import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors';
import {
  add,
  allocate,
  cashRound,
  clamp,
  compare,
  currencyExponent,
  divideRounded,
  equals,
  exactMoney,
  extend,
  formatMoney,
  fromDecimal,
  isNegative,
  isSupportedCurrency,
  isZero,
  max,
  min,
  money,
  multiply,
  multiplyRatio,
  negate,
  percentage,
  percentToScaled,
  subtract,
  sum,
  toDecimal,
  zero,
  type RoundingMode,
  type Money,
} from './money';

const eur = (amount: number) => money(amount, 'EUR');

describe('money', () => {
  describe('currencies', () => {
    it('knows the exponent of 0-, 2- and 3-decimal currencies', () => {
      expect(currencyExponent('JPY')).toBe(0);
      expect(currencyExponent('EUR')).toBe(2);
      expect(currencyExponent('KWD')).toBe(3);
      expect(isSupportedCurrency('XXX')).toBe(false);
    });

    it('refuses an unknown currency with INVALID_INPUT', () => {
      expect(() => money(1, 'ABC')).toThrow(DomainError);
      expect(() => money(1, 'ABC')).toThrow(/not a supported ISO 4217/);
    });

    it('refuses fractional minor units', () => {
      expect(() => money(1.5, 'EUR')).toThrow(/whole number/);
      expect(() => money(Number.NaN, 'EUR')).toThrow(/whole number/);
    });

    it('normalises negative zero', () => {
      expect(Object.is(money(-0, 'EUR').amount, 0)).toBe(true);
    });
  });

  describe('decimal parsing and formatting', () => {
    it.each([
      ['12.34', 'EUR', 1234],
      ['12.3', 'EUR', 1230],
      ['-0.05', 'EUR', -5],
      ['1500', 'JPY', 1500],
      ['1.250', 'KWD', 1250],
      ['0.001', 'KWD', 1],
    ])('parses %s %s as %d minor units', (decimal, currency, amount) => {
      expect(fromDecimal(decimal, currency).amount).toBe(amount);
    });

    it('refuses more decimals than the currency has', () => {
      expect(() => fromDecimal('1.5', 'JPY')).toThrow(/0 decimal places/);
      expect(() => fromDecimal('1.234', 'EUR')).toThrow(/2 decimal places/);
      expect(() => fromDecimal('abc', 'EUR')).toThrow(/not a decimal amount/);
    });

    it('formats with the currency exponent', () => {
      expect(toDecimal(eur(5))).toBe('0.05');
      expect(toDecimal(eur(-1230))).toBe('-12.30');
      expect(toDecimal(money(1500, 'JPY'))).toBe('1500');
      expect(toDecimal(money(1250, 'KWD'))).toBe('1.250');
    });

    it('round-trips every amount through its decimal form', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e12, max: 1e12 }),
          fc.constantFrom('EUR', 'JPY', 'KWD'),
          (amount, currency) => {
            expect(fromDecimal(toDecimal(money(amount, currency)), currency).amount).toBe(amount);
          },
        ),
      );
    });

    it('formats for display with Intl', () => {
      expect(formatMoney(eur(123456), 'en-US')).toBe('€1,234.56');
      expect(formatMoney(money(1500, 'JPY'), 'en-US')).toBe('¥1,500');
    });
  });

  describe('arithmetic', () => {
    it('adds, subtracts, negates, sums and compares', () => {
      expect(add(eur(150), eur(275)).amount).toBe(425);
      expect(subtract(eur(150), eur(275)).amount).toBe(-125);
      expect(negate(eur(5)).amount).toBe(-5);
      expect(sum([eur(1), eur(2), eur(3)], 'EUR').amount).toBe(6);
      expect(sum([], 'EUR')).toEqual(zero('EUR'));
      expect(compare(eur(1), eur(2))).toBe(-1);
      expect(compare(eur(2), eur(2))).toBe(0);
      expect(compare(eur(3), eur(2))).toBe(1);
      expect(equals(eur(2), eur(2))).toBe(true);
      expect(equals(eur(2), money(2, 'USD'))).toBe(false);
      expect(isZero(eur(0))).toBe(true);
      expect(isNegative(eur(-1))).toBe(true);
      expect(min(eur(1), eur(2)).amount).toBe(1);
      expect(max(eur(1), eur(2)).amount).toBe(2);
      expect(clamp(eur(-3), eur(10)).amount).toBe(0);
      expect(clamp(eur(30), eur(10)).amount).toBe(10);
      expect(clamp(eur(7), eur(10)).amount).toBe(7);
    });

    it('refuses to mix currencies', () => {
      expect(() => add(eur(1), money(1, 'USD'))).toThrow(
        expect.objectContaining({ code: 'CURRENCY_MISMATCH' }),
      );
      expect(() => sum([eur(1), money(1, 'USD')], 'EUR')).toThrow(/Cannot combine/);
    });

    it('refuses results that cannot be represented exactly', () => {
      expect(() => add(eur(Number.MAX_SAFE_INTEGER), eur(1))).toThrow(/too large/);
    });

    it('multiplies by whole quantities and by weights in grams', () => {
      expect(multiply(eur(199), 3).amount).toBe(597);
      expect(() => multiply(eur(199), 1.5)).toThrow(/whole number/);
      // 1.234 kg at 3.99/kg = 4.92366 → 4.92
      expect(extend(eur(399), 1234, 'kg').amount).toBe(492);
      // 0.125 kg at 2.00/kg = 0.25 exactly
      expect(extend(eur(200), 125, 'kg').amount).toBe(25);
      expect(extend(eur(200), 4, 'each').amount).toBe(800);
      // 0.5 g of something at 0.01/kg rounds half up to 0.00: 0.01 * 0.0005 = 0.000005
      expect(extend(eur(1), 500, 'kg').amount).toBe(1);
      expect(extend(eur(1), 499, 'kg').amount).toBe(0);
    });
  });

  describe('rounding', () => {
    const cases: [RoundingMode, number, number, number][] = [
      ['HALF_UP', 5, 2, 3],
      ['HALF_UP', -5, 2, -3],
      ['HALF_UP', 7, 3, 2],
      ['HALF_EVEN', 5, 2, 2],
      ['HALF_EVEN', 7, 2, 4],
      ['HALF_EVEN', -5, 2, -2],
      ['HALF_EVEN', 11, 4, 3],
      ['HALF_DOWN', 5, 2, 2],
      ['HALF_DOWN', 11, 4, 3],
      ['UP', 7, 3, 3],
      ['UP', -7, 3, -3],
      ['DOWN', 7, 3, 2],
      ['DOWN', -7, 3, -2],
      ['CEILING', -7, 3, -2],
      ['CEILING', 7, 3, 3],
      ['FLOOR', -7, 3, -3],
      ['FLOOR', 7, 3, 2],
      ['HALF_UP', 6, 3, 2],
      ['HALF_UP', 5, -2, -3],
    ];
    it.each(cases)('%s rounds %d/%d to %d', (mode, n, d, expected) => {
      expect(divideRounded(BigInt(n), BigInt(d), mode)).toBe(BigInt(expected));
    });

    it('refuses division by zero', () => {
      expect(() => divideRounded(1n, 0n)).toThrow(/Division by zero/);
    });

    it('never moves more than one unit from the exact quotient', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
          fc.bigInt({ min: 1n, max: 10n ** 6n }),
          fc.constantFrom<RoundingMode>(
            'HALF_UP',
            'HALF_EVEN',
            'HALF_DOWN',
            'UP',
            'DOWN',
            'CEILING',
            'FLOOR',
          ),
          (n, d, mode) => {
            const q = divideRounded(n, d, mode);
            const error = q * d - n;
            expect(error < 0n ? -error : error).toBeLessThan(d);
          },
        ),
      );
    });
  });

  describe('percentage', () => {
    it('takes percentages with up to 4 decimals exactly', () => {
      expect(percentage(eur(1000), 8.875).amount).toBe(89); // 88.75 → 89 half up
      expect(percentage(eur(1000), 8.875, 'HALF_EVEN').amount).toBe(89); // 88.75 → 89
      expect(percentage(eur(1000), '12.5').amount).toBe(125);
      expect(percentage(eur(999), 10).amount).toBe(100); // 99.9
      expect(percentage(eur(999), 10, 'DOWN').amount).toBe(99);
      expect(percentage(eur(50), 5).amount).toBe(3); // 2.5 → 3 half up
      expect(percentage(eur(50), 5, 'HALF_EVEN').amount).toBe(2);
      expect(percentToScaled(-2.5)).toBe(-25000n);
    });

    it('scales a numeric percent the same on every call, past the numbers it keeps', () => {
      // n / 10^k with k ≤ 4 is exactly n·10^(4−k) ten-thousandths; each is asked twice (the second from
      // what percentToScaled kept), and over a run far more distinct percents than it keeps.
      fc.assert(
        fc.property(
          fc.integer({ min: -10_000_000, max: 10_000_000 }),
          fc.integer({ min: 0, max: 4 }),
          (n, k) => {
            const expected = BigInt(n) * 10n ** BigInt(4 - k);
            expect(percentToScaled(n / 10 ** k)).toBe(expected);
            expect(percentToScaled(n / 10 ** k)).toBe(expected);
            expect(percentToScaled(String(n / 10 ** k))).toBe(expected);
          },
        ),
        { numRuns: 5000 },
      );
    });

    it('refuses an inexact or infinite percent every time it is asked', () => {
      for (const percent of [1.23456, 1e-7, Number.NaN, Number.POSITIVE_INFINITY]) {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          expect(() => percentToScaled(percent)).toThrow(DomainError);
        }
      }
    });

    it('refuses percentages it cannot represent exactly', () => {
      expect(() => percentage(eur(100), 1.23456)).toThrow(/at most 4 decimal/);
      expect(() => percentage(eur(100), Number.POSITIVE_INFINITY)).toThrow(/finite/);
      expect(() => percentage(eur(100), 1e-7)).toThrow(/at most 4 decimal/);
    });

    it('computes ratios with one rounding', () => {
      expect(multiplyRatio(eur(1000), 1, 3).amount).toBe(333);
      expect(multiplyRatio(eur(1000), 2, 3).amount).toBe(667);
    });
  });

  describe('allocate', () => {
    it('splits by largest remainder, ties to the earlier line', () => {
      expect(allocate(eur(100), [1, 1, 1]).map((m) => m.amount)).toEqual([34, 33, 33]);
      expect(allocate(eur(5), [3, 7]).map((m) => m.amount)).toEqual([2, 3]); // 1.5 and 3.5: the tie goes to the first
      expect(allocate(eur(-100), [1, 1, 1]).map((m) => m.amount)).toEqual([-34, -33, -33]);
      expect(allocate(eur(10), [0, 0]).map((m) => m.amount)).toEqual([5, 5]);
      expect(allocate(eur(10), [0, 5]).map((m) => m.amount)).toEqual([0, 10]);
    });

    it('gives a tied unit to the smaller key, whatever the order of the weights', () => {
      // 1.5 and 0.5: both remainders are one half.
      expect(allocate(eur(2), [3, 1], ['b', 'a']).map((m) => m.amount)).toEqual([1, 1]);
      expect(allocate(eur(2), [1, 3], ['a', 'b']).map((m) => m.amount)).toEqual([1, 1]);
      expect(allocate(eur(5), [3, 7], ['z', 'a']).map((m) => m.amount)).toEqual([1, 4]);
      expect(allocate(eur(100), [1, 1, 1], ['c', 'a', 'b']).map((m) => m.amount)).toEqual([33, 34, 33]);
    });

    it('splits keyed weights the same way under any permutation', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e6, max: 1e6 }),
          fc.uniqueArray(fc.record({ key: fc.string({ maxLength: 4 }), weight: fc.nat(1000) }), {
            minLength: 1,
            maxLength: 12,
            selector: (entry) => entry.key,
          }),
          fc.func(fc.integer()),
          (amount, entries, rank) => {
            const split = (list: typeof entries) =>
              Object.fromEntries(
                allocate(
                  eur(amount),
                  list.map((entry) => entry.weight),
                  list.map((entry) => entry.key),
                ).map((part, index) => [list[index]?.key, part.amount]),
              );
            const shuffled = [...entries].sort((a, b) => rank(a.key) - rank(b.key));
            expect(split(shuffled)).toEqual(split(entries));
          },
        ),
      );
    });

    it('refuses empty and negative weights, and keys that do not match the weights', () => {
      expect(() => allocate(eur(10), [])).toThrow(/empty/);
      expect(() => allocate(eur(10), [1, -1])).toThrow(/negative/);
      expect(() => allocate(eur(10), [1, 1], ['a'])).toThrow(/one tie-break key per/);
    });

    it('always sums exactly and each part is within one unit of its exact share', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 30 }),
          (amount, weights) => {
            const parts = allocate(eur(amount), weights);
            expect(sum(parts, 'EUR').amount).toBe(amount);
            const weightSum = weights.reduce((a, b) => a + b, 0);
            parts.forEach((part, i) => {
              const exact =
                weightSum === 0 ? amount / weights.length : (amount * (weights[i] ?? 0)) / weightSum;
              expect(Math.abs(part.amount - exact)).toBeLessThan(1 + 1e-6);
            });
          },
        ),
      );
    });
  });

  describe('cashRound', () => {
    it('rounds cash amounts to the store increment', () => {
      expect(cashRound(eur(1232), 5).amount).toBe(1230);
      expect(cashRound(eur(1233), 5).amount).toBe(1235);
      expect(cashRound(eur(1237), 5).amount).toBe(1235);
      expect(cashRound(eur(1238), 5).amount).toBe(1240);
      expect(cashRound(eur(1225), 10).amount).toBe(1230);
      expect(cashRound(eur(1225), 10, 'HALF_EVEN').amount).toBe(1220);
      expect(cashRound(eur(1233), 1).amount).toBe(1233);
      expect(() => cashRound(eur(1), 0)).toThrow(/positive/);
    });

    it('lands on a multiple of the increment within half an increment', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.constantFrom(5, 10, 25, 50, 100),
          (amount, inc) => {
            const rounded = cashRound(eur(amount), inc).amount;
            expect(rounded % inc === 0).toBe(true);
            expect(Math.abs(rounded - amount)).toBeLessThanOrEqual(inc / 2);
          },
        ),
      );
    });
  });

  describe('the double fast paths of add, subtract, sum, multiply and allocate', () => {
    /** What a call gave: its value, or its error's class, code and message. */
    const outcome = (work: () => unknown): unknown => {
      try {
        return { value: work() };
      } catch (error) {
        return {
          thrown: error instanceof Error ? error.constructor.name : typeof error,
          code: error instanceof DomainError ? error.code : undefined,
          message: error instanceof Error ? error.message : String(error),
        };
      }
    };
    const MAX = Number.MAX_SAFE_INTEGER;
    // Safe integers near zero and near the edge of the safe range, and the odd value a corrupt row may hold.
    const amount = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -1e12, max: 1e12 }) },
      { weight: 3, arbitrary: fc.integer({ min: MAX - 1e6, max: MAX }).map((n) => (n % 2 === 0 ? n : -n)) },
      { weight: 3, arbitrary: fc.maxSafeInteger() },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>(
          -0,
          0.5,
          -2.25,
          MAX + 1,
          2 ** 60,
          Number.NaN,
          Infinity,
          '12',
          null,
        ),
      },
    ) as fc.Arbitrary<number>;
    const currency = fc.constantFrom('EUR', 'EUR', 'EUR', 'JPY', 'KWD', 'XXX');
    const amountOf = fc.record({ amount, currency }) as fc.Arbitrary<Money>;

    it('add and subtract answer as the BigInt path does, errors included', () => {
      fc.assert(
        fc.property(amountOf, amountOf, (a, b) => {
          expect(outcome(() => add(a, b))).toStrictEqual(outcome(() => exactMoney.add(a, b)));
          expect(outcome(() => subtract(a, b))).toStrictEqual(outcome(() => exactMoney.subtract(a, b)));
        }),
        { numRuns: 5_000 },
      );
    });

    it('sum answers as the BigInt path does, partial sums out of the safe range included', () => {
      fc.assert(
        fc.property(fc.array(amountOf, { maxLength: 8 }), currency, (values, to) => {
          expect(outcome(() => sum(values, to as 'EUR'))).toStrictEqual(
            outcome(() => exactMoney.sum(values, to as 'EUR')),
          );
        }),
        { numRuns: 5_000 },
      );
      // Out of range half way, back in range at the end: the double path must not be the one answering.
      const values = [eur(MAX), eur(MAX), eur(-MAX), eur(-MAX + 5)];
      expect(sum(values, 'EUR')).toStrictEqual(exactMoney.sum(values, 'EUR'));
      expect(sum(values, 'EUR').amount).toBe(5);
    });

    it('toDecimal formats as the string path does', () => {
      fc.assert(
        fc.property(amountOf, (value) => {
          expect(outcome(() => toDecimal(value))).toStrictEqual(outcome(() => exactMoney.toDecimal(value)));
        }),
        { numRuns: 5_000 },
      );
      for (const currency of ['EUR', 'JPY', 'KWD'] as const) {
        for (const amount of [0, -0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 1001, -1005, MAX, -MAX]) {
          expect(toDecimal({ amount, currency })).toBe(exactMoney.toDecimal({ amount, currency }));
        }
      }
    });

    it('allocate splits as the BigInt path does, errors included', () => {
      const weight = fc.oneof(
        { weight: 6, arbitrary: fc.nat(1_000) },
        { weight: 2, arbitrary: fc.constant(0) },
        { weight: 2, arbitrary: fc.integer({ min: MAX - 1e6, max: MAX }) },
        { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(-0, -1, 0.5, MAX + 1, Number.NaN, 3n, 2n ** 60n) },
      ) as fc.Arbitrary<number>;
      // Few distinct keys, so that ties between keys happen too.
      const keysFor = (count: number) =>
        fc.oneof(
          fc.constant(undefined),
          fc.array(fc.constantFrom('a', 'b', 'c', 'line-1', ''), { minLength: count, maxLength: count }),
          fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }),
        );
      fc.assert(
        fc.property(
          amountOf,
          fc
            .array(weight, { maxLength: 8 })
            .chain((weights) => fc.tuple(fc.constant(weights), keysFor(weights.length))),
          (total, [weights, keys]) => {
            expect(outcome(() => allocate(total, weights, keys))).toStrictEqual(
              outcome(() => exactMoney.allocate(total, weights, keys)),
            );
          },
        ),
        { numRuns: 10_000 },
      );
      // Products at the edge of the safe range (the double path answers) and one past it (it must not).
      const third = Math.floor(MAX / 3);
      expect(allocate(eur(3), [third, 1])).toStrictEqual(exactMoney.allocate(eur(3), [third, 1]));
      expect(allocate(eur(4), [third, 7], ['b', 'a'])).toStrictEqual(
        exactMoney.allocate(eur(4), [third, 7], ['b', 'a']),
      );
    });

    it('multiply answers as the BigInt path does', () => {
      fc.assert(
        fc.property(
          amountOf,
          fc.oneof(
            fc.integer({ min: -1e6, max: 1e6 }),
            fc.maxSafeInteger(),
            fc.constantFrom(-0, 1.5, MAX + 1),
          ),
          (value, quantity) => {
            expect(outcome(() => multiply(value, quantity))).toStrictEqual(
              outcome(() => exactMoney.multiply(value, quantity)),
            );
          },
        ),
        { numRuns: 5_000 },
      );
    });
  });
});
