import { plainList, safeWhole, shaped, textWithin } from '../plain-values';
import { TENDER_TYPES } from './event-catalog';

/**
 * An allocation-free check of the `sale.completed` data the hub publishes for every sale it applies
 * (SaleCompletedData in event-catalog.ts). The hub builds it field by field from the pushed sale
 * (store-event-drafts.ts), and parsing it with zod again cost about 4 % of the ingest's CPU.
 *
 * True only for data the schema's parse returns unchanged: plain objects with exactly the schema's keys
 * in its order, plain arrays, every value of the schema's type and within its bounds. The caller then keeps
 * the data as the parse's output; anything else is parsed as before, so what is accepted, refused and
 * written stays the same (plain-sale-data.test.ts compares it with the schema under fast-check).
 */

const SALE_KEYS = [
  'saleId',
  'receiptNumber',
  'nodeId',
  'deviceId',
  'shiftId',
  'staffId',
  'customerId',
  'currency',
  'businessDate',
  'completedAt',
  'lines',
  'totals',
  'taxes',
  'tenders',
  'promotionIds',
  'priceBookVersion',
  'loyaltyAccountId',
];
const LINE_KEYS = [
  'lineId',
  'sku',
  'name',
  'qty',
  'unit',
  'unitPrice',
  'taxInclusive',
  'extended',
  'discounts',
  'net',
  'taxes',
  'paid',
];
const DISCOUNT_KEYS = ['kind', 'promotionId', 'amount'];
const LINE_TAX_KEYS = ['rateId', 'name', 'percent', 'amount'];
const TOTALS_KEYS = ['subtotal', 'discount', 'tax', 'total', 'cashRounding', 'paid'];
const RATE_KEYS = ['rateId', 'name', 'percent', 'taxable', 'tax'];
const TENDER_KEYS = ['tenderId', 'type', 'amount', 'reference', 'points'];
const DISCOUNT_KINDS: readonly unknown[] = ['promotion', 'manual_line', 'manual_order'];
const UNITS: readonly unknown[] = ['each', 'kg'];
const TENDER_KINDS: readonly unknown[] = TENDER_TYPES;
const CURRENCY = /^[A-Z]{3}$/;
const BUSINESS_DATE = /^\d{4}-\d{2}-\d{2}$/;

function every(value: unknown, check: (item: unknown) => boolean): boolean {
  if (!plainList(value)) return false;
  for (let index = 0; index < value.length; index += 1) if (!check(value[index])) return false;
  return true;
}

const text = (value: unknown): boolean => typeof value === 'string';
const id = (value: unknown): boolean => textWithin(value, 1, 240);
const nullableId = (value: unknown): boolean => value === null || id(value);
const finite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const pattern = (value: unknown, test: RegExp): boolean => typeof value === 'string' && test.test(value);

function discount(value: unknown): boolean {
  return (
    shaped(value, DISCOUNT_KEYS) &&
    DISCOUNT_KINDS.includes(value.kind) &&
    nullableId(value.promotionId) &&
    safeWhole(value.amount)
  );
}

function lineTax(value: unknown): boolean {
  return (
    shaped(value, LINE_TAX_KEYS) &&
    id(value.rateId) &&
    text(value.name) &&
    finite(value.percent) &&
    safeWhole(value.amount)
  );
}

function line(value: unknown): boolean {
  return (
    shaped(value, LINE_KEYS) &&
    id(value.lineId) &&
    id(value.sku) &&
    text(value.name) &&
    safeWhole(value.qty) &&
    UNITS.includes(value.unit) &&
    safeWhole(value.unitPrice) &&
    typeof value.taxInclusive === 'boolean' &&
    safeWhole(value.extended) &&
    every(value.discounts, discount) &&
    safeWhole(value.net) &&
    every(value.taxes, lineTax) &&
    safeWhole(value.paid)
  );
}

function totals(value: unknown): boolean {
  if (!shaped(value, TOTALS_KEYS)) return false;
  for (const key of TOTALS_KEYS) if (!safeWhole(value[key])) return false;
  return true;
}

function rate(value: unknown): boolean {
  return (
    shaped(value, RATE_KEYS) &&
    id(value.rateId) &&
    text(value.name) &&
    finite(value.percent) &&
    safeWhole(value.taxable) &&
    safeWhole(value.tax)
  );
}

function tender(value: unknown): boolean {
  return (
    shaped(value, TENDER_KEYS) &&
    id(value.tenderId) &&
    TENDER_KINDS.includes(value.type) &&
    safeWhole(value.amount) &&
    (value.reference === null || text(value.reference)) &&
    (value.points === null || safeWhole(value.points))
  );
}

/** What the catalog's SaleCompletedData would return unchanged. */
export function isPlainSaleCompletedData(value: unknown): boolean {
  return (
    shaped(value, SALE_KEYS) &&
    id(value.saleId) &&
    text(value.receiptNumber) &&
    id(value.nodeId) &&
    id(value.deviceId) &&
    id(value.shiftId) &&
    id(value.staffId) &&
    nullableId(value.customerId) &&
    pattern(value.currency, CURRENCY) &&
    pattern(value.businessDate, BUSINESS_DATE) &&
    typeof value.completedAt === 'string' &&
    value.completedAt.length >= 1 &&
    value.completedAt.length <= 40 &&
    every(value.lines, line) &&
    totals(value.totals) &&
    every(value.taxes, rate) &&
    every(value.tenders, tender) &&
    every(value.promotionIds, id) &&
    text(value.priceBookVersion) &&
    nullableId(value.loyaltyAccountId)
  );
}
