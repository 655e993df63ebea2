import { extend, money, type CurrencyCode } from '../money';
import type { PromotionContext, PromotionLine } from './engine';
import type { Promotion, PromotionRule } from './promotion';

/** Builders for promotion tests: readable carts in a few words, with every field still explicit. */

export const EUR = 'EUR';
export const AT = 1_767_225_600_000; // 2026-01-01T00:00:00.000Z
export const CONTEXT: PromotionContext = { at: AT, storeId: 'store-1', regionId: 'north', currency: EUR };

export function eachLine(
  lineId: string,
  unitPrice: number,
  qty: number,
  options: { sku?: string; categoryIds?: string[]; currency?: CurrencyCode } = {},
): PromotionLine {
  const currency = options.currency ?? EUR;
  const price = money(unitPrice, currency);
  return {
    lineId,
    sku: options.sku ?? `sku-${lineId}`,
    categoryIds: options.categoryIds ?? [],
    unit: 'each',
    qty,
    unitPrice: price,
    amount: extend(price, qty, 'each'),
  };
}

/** `grams` of a weighed SKU priced per kilogram. */
export function kgLine(
  lineId: string,
  pricePerKg: number,
  grams: number,
  options: { sku?: string; categoryIds?: string[] } = {},
): PromotionLine {
  const price = money(pricePerKg, EUR);
  return {
    lineId,
    sku: options.sku ?? `sku-${lineId}`,
    categoryIds: options.categoryIds ?? [],
    unit: 'kg',
    qty: grams,
    unitPrice: price,
    amount: extend(price, grams, 'kg'),
  };
}

export function promotion(
  promotionId: string,
  rule: PromotionRule,
  overrides: Partial<Omit<Promotion, 'rule' | 'promotionId'>> = {},
): Promotion {
  return {
    promotionId,
    version: 1,
    name: `Promotion ${promotionId}`,
    priority: 0,
    stacking: 'stackable',
    scope: { type: 'chain' },
    currency: EUR,
    rule,
    ...overrides,
  };
}

export const everything = {};
