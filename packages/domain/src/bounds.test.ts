import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from './test-support';
import {
  MAX_AMOUNT,
  MAX_DENOMINATION_COUNT,
  MAX_DRAWER_AMOUNT,
  MAX_LINE_QTY,
  MAX_STOCK_QTY,
  amountSchema,
  assertAmountWithinBounds,
  assertCartWithinBounds,
  drawerAmountSchema,
  lineAmountBound,
  lineQtySchema,
  stockDeltaSchema,
  stockQtySchema,
} from './bounds';
import { DomainError } from './errors';
import { extend, money, sum } from './money';

const RUNS = propertyRuns(1_000, 200);

function refusal(work: () => void): DomainError | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('bounds', () => {
  it('leave room to sum thousands of the largest amounts, and every drawer figure, in safe integers', () => {
    expect(MAX_AMOUNT * 9_000).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(MAX_DRAWER_AMOUNT).toBeLessThan(MAX_AMOUNT);
    expect(MAX_LINE_QTY).toBeLessThan(MAX_STOCK_QTY);
    expect(MAX_STOCK_QTY * 9_000_000).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(MAX_DENOMINATION_COUNT).toBeLessThanOrEqual(MAX_LINE_QTY);
  });

  it('refuse the values the till once accepted and the hub could not carry', () => {
    const huge = Number.MAX_SAFE_INTEGER;
    expect(stockQtySchema.safeParse(huge).success).toBe(false);
    expect(stockQtySchema.safeParse(MAX_STOCK_QTY).success).toBe(true);
    expect(drawerAmountSchema.safeParse(huge).success).toBe(false);
    expect(drawerAmountSchema.safeParse(MAX_DRAWER_AMOUNT).success).toBe(true);
    expect(lineQtySchema.safeParse(MAX_LINE_QTY + 1).success).toBe(false);
    expect(amountSchema.safeParse(MAX_AMOUNT + 1).success).toBe(false);
    expect(stockDeltaSchema.safeParse(-MAX_STOCK_QTY).success).toBe(true);
    expect(stockDeltaSchema.safeParse(-MAX_STOCK_QTY - 1).success).toBe(false);
    const parsed = lineQtySchema.safeParse(MAX_LINE_QTY + 1);
    expect(parsed.error?.issues[0]?.message).toBe(
      'A line holds at most 1,000,000 pieces (or grams of a weighed item).',
    );
  });

  describe('lineAmountBound', () => {
    it('is exactly what the cart computes for a line, half up per kilogram', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: MAX_AMOUNT }),
          fc.integer({ min: 1, max: MAX_LINE_QTY }),
          fc.constantFrom('each' as const, 'kg' as const),
          (unitPrice, qty, unit) => {
            const bound = lineAmountBound(unitPrice, qty, unit);
            if (bound > BigInt(Number.MAX_SAFE_INTEGER)) return;
            expect(BigInt(extend(money(unitPrice, 'EUR'), qty, unit).amount)).toBe(bound);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  describe('assertCartWithinBounds', () => {
    it('lets through only carts whose lines and subtotal sum exactly, and refuses the rest with LIMIT_EXCEEDED', () => {
      const line = fc.record({
        sku: fc.constantFrom('A', 'B'),
        qty: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: MAX_LINE_QTY + 10 })),
        unitPrice: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: MAX_AMOUNT })),
        unit: fc.constantFrom('each' as const, 'kg' as const),
      });
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
          const error = refusal(() => assertCartWithinBounds(lines));
          if (error) {
            expect(error.code).toBe('LIMIT_EXCEEDED');
            return;
          }
          // Accepted: every line and the subtotal are exact safe integers within MAX_AMOUNT.
          const amounts = lines.map((entry) => extend(money(entry.unitPrice, 'EUR'), entry.qty, entry.unit));
          const subtotal = sum(amounts, 'EUR');
          expect(subtotal.amount).toBeLessThanOrEqual(MAX_AMOUNT);
          for (const entry of lines) expect(entry.qty).toBeLessThanOrEqual(MAX_LINE_QTY);
        }),
        { numRuns: RUNS },
      );
    });

    it('refuses the largest quantity at the largest price, and a label line is its printed price', () => {
      const error = refusal(() =>
        assertCartWithinBounds([{ sku: 'TV', qty: MAX_LINE_QTY, unitPrice: MAX_AMOUNT, unit: 'each' }]),
      );
      expect(error?.code).toBe('LIMIT_EXCEEDED');
      expect(error?.message).toBe(
        'The line for TV comes to more than a till can record in one line. Lower the quantity or split it over several sales.',
      );
      expect(
        refusal(() =>
          assertCartWithinBounds([
            { sku: 'CHEESE', qty: 1, unitPrice: MAX_AMOUNT, unit: 'kg', labelPriced: true },
          ]),
        ),
      ).toBeUndefined();
      expect(
        refusal(() =>
          assertCartWithinBounds([
            { sku: 'A', qty: 1, unitPrice: MAX_AMOUNT, unit: 'each' },
            { sku: 'B', qty: 1, unitPrice: 1, unit: 'each' },
          ]),
        )?.message,
      ).toBe('This sale comes to more than a till can record in one sale. Split it over several sales.');
    });
  });

  describe('assertAmountWithinBounds', () => {
    it('refuses amounts past MAX_AMOUNT either way, unsafe numbers and BigInts alike', () => {
      expect(refusal(() => assertAmountWithinBounds(MAX_AMOUNT, 'x'))).toBeUndefined();
      expect(refusal(() => assertAmountWithinBounds(-MAX_AMOUNT, 'x'))).toBeUndefined();
      expect(refusal(() => assertAmountWithinBounds(MAX_AMOUNT + 1, 'The counted cash'))?.message).toBe(
        'The counted cash comes to more than a till can record (1,000,000,000,000 minor units at most).',
      );
      expect(refusal(() => assertAmountWithinBounds(Number.NaN, 'x'))?.code).toBe('LIMIT_EXCEEDED');
      expect(refusal(() => assertAmountWithinBounds(2n ** 60n, 'x'))?.code).toBe('LIMIT_EXCEEDED');
    });
  });
});
