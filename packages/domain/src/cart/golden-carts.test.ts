import { describe, expect, it } from 'vitest';
import { fromDecimal, toDecimal, type Money } from '../money';
import { PromotionSchema, type Promotion } from '../promotions/index';
import { TaxRateSchema, type TaxRate } from '../tax/index';
import { settleTenders, type TenderInput } from '../tenders/index';
import golden from './golden-carts.json';
import { priceCart, type CartLineInput, type LinePrice, type ManualDiscount } from './price-cart';

interface GoldenLine {
  sku: string;
  qty: number;
  unit?: 'each' | 'kg';
  unitPrice: string;
  taxCategory: string;
  taxInclusive?: boolean;
  categoryIds?: string[];
  source?: 'price_book' | 'label' | 'override';
  originalUnitPrice?: string;
  discount?: { percent: number } | { amount: string };
}

interface GoldenCart {
  name: string;
  currency: string;
  jurisdictionIds?: string[];
  cashRoundingIncrement?: number;
  taxRates?: Record<string, unknown>[];
  promotions?: Record<string, unknown>[];
  lines: GoldenLine[];
  orderDiscount?: { percent: number } | { amount: string };
  tenders?: { type: 'cash' | 'card'; amount: string; reference?: string }[];
  reasoning: string;
  expected: {
    subtotal: string;
    discount: string;
    tax: string;
    total: string;
    paid: string[];
    cashDue?: string;
    taxByRate?: Record<string, string>;
    change?: string;
    cashRounding?: string;
  };
}

const AT = Date.parse('2026-11-23T12:00:00Z');
const MONEY_FIELDS = new Set(['amount', 'price', 'threshold', 'amountOff']);

/** Golden files write amounts as decimal strings; the domain takes minor units. */
function minorUnitsDeep(value: unknown, currency: string): unknown {
  if (Array.isArray(value)) return value.map((item) => minorUnitsDeep(item, currency));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        MONEY_FIELDS.has(key) && typeof field === 'string'
          ? fromDecimal(field, currency).amount
          : minorUnitsDeep(field, currency),
      ]),
    );
  }
  return value;
}

function toPromotion(raw: Record<string, unknown>, currency: string): Promotion {
  return PromotionSchema.parse({
    version: 1,
    name: raw.promotionId,
    priority: 0,
    stacking: 'stackable',
    scope: { type: 'chain' },
    currency,
    ...(minorUnitsDeep(raw, currency) as Record<string, unknown>),
  });
}

function toTaxRate(raw: Record<string, unknown>): TaxRate {
  return TaxRateSchema.parse({ name: raw.rateId, jurisdictionId: 'J', ...raw });
}

function toLine(line: GoldenLine, index: number, currency: string): CartLineInput {
  const unitPrice = fromDecimal(line.unitPrice, currency);
  const taxInclusive = line.taxInclusive ?? false;
  const price: LinePrice =
    line.source === 'label'
      ? { source: 'label', unitPrice, taxInclusive }
      : line.source === 'override'
        ? {
            source: 'override',
            unitPrice,
            taxInclusive,
            originalUnitPrice: fromDecimal(line.originalUnitPrice ?? line.unitPrice, currency),
            reason: 'damaged packaging',
          }
        : { source: 'price_book', unitPrice, taxInclusive, priceBookId: 'base', priceBookVersion: 1 };
  return {
    lineId: `L${index + 1}`,
    sku: line.sku,
    name: line.sku,
    unit: line.unit ?? 'each',
    taxCategory: line.taxCategory,
    categoryIds: line.categoryIds ?? [],
    qty: line.qty,
    price,
    ...(line.discount ? { discount: minorUnitsDeep(line.discount, currency) as ManualDiscount } : {}),
  };
}

const show = (value: Money) => toDecimal(value);

describe('cart', () => {
  describe('golden carts', () => {
    const carts = golden.carts as GoldenCart[];

    it('has at least 30 hand-worked carts, each with its reasoning', () => {
      expect(carts.length).toBeGreaterThanOrEqual(30);
      for (const cart of carts) expect(cart.reasoning.length).toBeGreaterThan(20);
    });

    it.each(carts.map((cart) => [cart.name, cart] as const))('%s', (_name, cart) => {
      const { currency, expected } = cart;
      const priced = priceCart({
        currency,
        at: AT,
        storeId: 'S1',
        jurisdictionIds: cart.jurisdictionIds ?? ['J'],
        lines: cart.lines.map((line, index) => toLine(line, index, currency)),
        ...(cart.orderDiscount
          ? { orderDiscount: minorUnitsDeep(cart.orderDiscount, currency) as ManualDiscount }
          : {}),
        promotions: (cart.promotions ?? []).map((raw) => toPromotion(raw, currency)),
        taxRates: (cart.taxRates ?? []).map(toTaxRate),
        ...(cart.cashRoundingIncrement ? { cashRoundingIncrement: cart.cashRoundingIncrement } : {}),
      });

      expect({
        subtotal: show(priced.totals.subtotal),
        discount: show(priced.totals.discount),
        tax: show(priced.totals.tax),
        total: show(priced.totals.total),
        paid: priced.lines.map((line) => show(line.paid)),
      }).toEqual({
        subtotal: expected.subtotal,
        discount: expected.discount,
        tax: expected.tax,
        total: expected.total,
        paid: expected.paid,
      });
      if (expected.cashDue) expect(show(priced.totals.cashDue)).toBe(expected.cashDue);
      if (expected.taxByRate) {
        expect(Object.fromEntries(priced.taxSummary.rows.map((row) => [row.rateId, show(row.tax)]))).toEqual(
          expected.taxByRate,
        );
      }
      if (cart.tenders) {
        const tenders = cart.tenders.map(
          (tender) =>
            ({
              type: tender.type,
              amount: fromDecimal(tender.amount, currency),
              ...(tender.reference ? { reference: tender.reference } : {}),
            }) as TenderInput,
        );
        const settlement = settleTenders(priced.totals.total, tenders, {
          cashRoundingIncrement: cart.cashRoundingIncrement ?? 1,
        });
        expect(settlement.complete).toBe(true);
        expect(show(settlement.change)).toBe(expected.change);
        expect(show(settlement.cashRounding)).toBe(expected.cashRounding);
      }
    });
  });
});
