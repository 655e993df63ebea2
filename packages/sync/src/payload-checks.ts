import { BUCKETS, MAX_AMOUNT, MAX_LINE_QTY, MAX_STOCK_QTY, MOVEMENT_TYPES } from '@retail/domain';
import type { z } from 'zod';
import { EventEnvelopeSchema, checkPayload, type EventEnvelope, type PayloadCheck } from './envelope';
import { CURRENT_VERSION, EVENT_SCHEMAS, SaleCompletedV1, type EventPayloads } from './events';
import { STAFF_ROLES } from './feed';

/**
 * Hand-written checks of the event schemas a store node writes on every sale, for its outbox: a
 * `sale.completed` payload and the envelope around it. Each answers true only for a value its zod schema
 * accepts AND returns unchanged: the same keys in the schema's order (what zod's output has, so the JSON
 * written is the same text), no key the schema would strip, no default to fill in, every rule met.
 * Anything else answers false and goes through the schema, which gives the error or the value it
 * returns, so a caller that falls back to the schema behaves exactly as the schema alone.
 * payload-checks.test.ts checks this with fast-check against the schemas themselves.
 */

type Fields = Record<string, unknown>;

/** A plain object (what zod's output is) whose keys are a subsequence of `shape`, in its order. */
function isShaped(value: unknown, shape: readonly string[]): value is Fields {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return false;
  }
  let at = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    while (at < shape.length && shape[at] !== key) at += 1;
    if (at === shape.length) return false;
    at += 1;
  }
  return true;
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** An id as the sync schemas bound one (device, store, sale, line, …: 1–100 characters). */
export const isSyncId = (value: unknown): value is string => isText(value, 1, 100);

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

const isAmount = (value: unknown): boolean => isWhole(value, -MAX_AMOUNT, MAX_AMOUNT);
const isSafeWhole = (value: unknown): boolean =>
  isWhole(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/**
 * A test of zod's own string format (an ISO date-time with offset, a UUID): the pattern the schema checks
 * with, or, should a zod version not expose it, the schema itself (slower, never different).
 */
function formatTest(schema: z.ZodType): (value: string) => boolean {
  const pattern = (schema as unknown as { _zod?: { def?: { pattern?: unknown } } })._zod?.def?.pattern;
  if (pattern instanceof RegExp) return (value) => pattern.test(value);
  return (value) => schema.safeParse(value).success;
}

const isIsoTimeText = formatTest(SaleCompletedV1.shape.completedAt);
const isUuidText = formatTest(EventEnvelopeSchema.shape.eventId);

function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && isIsoTimeText(value);
}

function isOneOf(value: unknown, allowed: readonly string[]): boolean {
  return typeof value === 'string' && allowed.includes(value);
}

function isEvery(value: unknown, check: (item: unknown) => boolean, min = 0, max = Infinity): boolean {
  if (!isList(value) || value.length < min || value.length > max) return false;
  for (const item of value) if (!check(item)) return false;
  return true;
}

const ADJUSTMENT_KEYS = ['kind', 'promotionId', 'amount', 'reason', 'givenBy'];
const ADJUSTMENT_KINDS = ['promotion', 'manual_line', 'manual_order'];

function isAdjustment(value: unknown): boolean {
  return (
    isShaped(value, ADJUSTMENT_KEYS) &&
    isOneOf(value.kind, ADJUSTMENT_KINDS) &&
    (value.promotionId === undefined || isSyncId(value.promotionId)) &&
    isAmount(value.amount) &&
    isText(value.reason, 0, 200) &&
    (value.givenBy === undefined || isSyncId(value.givenBy))
  );
}

const TAX_KEYS = ['rateId', 'name', 'percent', 'amount'];

function isTax(value: unknown): boolean {
  return (
    isShaped(value, TAX_KEYS) &&
    isSyncId(value.rateId) &&
    isText(value.name, 0, 100) &&
    typeof value.percent === 'number' &&
    Number.isFinite(value.percent) &&
    isAmount(value.amount)
  );
}

const LINE_KEYS = [
  'lineId',
  'sku',
  'name',
  'qty',
  'unit',
  'taxCategory',
  'unitPrice',
  'taxInclusive',
  'priceSource',
  'priceBookId',
  'priceBookVersion',
  'originalUnitPrice',
  'extended',
  'adjustments',
  'net',
  'taxes',
  'paid',
];
const UNITS = ['each', 'kg'];
const PRICE_SOURCES = ['price_book', 'label', 'override'];

function isLine(value: unknown): boolean {
  return (
    isShaped(value, LINE_KEYS) &&
    isSyncId(value.lineId) &&
    isSyncId(value.sku) &&
    isText(value.name, 0, 200) &&
    isWhole(value.qty, -MAX_LINE_QTY, MAX_LINE_QTY) &&
    isOneOf(value.unit, UNITS) &&
    isSyncId(value.taxCategory) &&
    isAmount(value.unitPrice) &&
    typeof value.taxInclusive === 'boolean' &&
    isOneOf(value.priceSource, PRICE_SOURCES) &&
    (value.priceBookId === undefined || isSyncId(value.priceBookId)) &&
    (value.priceBookVersion === undefined || isWhole(value.priceBookVersion, 1, Number.MAX_SAFE_INTEGER)) &&
    (value.originalUnitPrice === undefined || isAmount(value.originalUnitPrice)) &&
    isAmount(value.extended) &&
    isEvery(value.adjustments, isAdjustment) &&
    isAmount(value.net) &&
    isEvery(value.taxes, isTax) &&
    isAmount(value.paid)
  );
}

const TENDER_KEYS = ['tenderId', 'type', 'amount', 'tendered', 'change', 'reference', 'points'];
const TENDER_TYPES = ['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points'];

function isTender(value: unknown): boolean {
  return (
    isShaped(value, TENDER_KEYS) &&
    isSyncId(value.tenderId) &&
    isOneOf(value.type, TENDER_TYPES) &&
    isAmount(value.amount) &&
    (value.tendered === undefined || isAmount(value.tendered)) &&
    (value.change === undefined || isAmount(value.change)) &&
    (value.reference === undefined || isText(value.reference, 0, 100)) &&
    (value.points === undefined || isSafeWhole(value.points))
  );
}

const GIFT_CARD_KEYS = ['lineId', 'kind', 'numberDigest', 'maskedNumber', 'amount'];
const GIFT_CARD_KINDS = ['activate', 'reload'];
const DIGEST = /^[0-9a-f]{64}$/;

function isGiftCardLoad(value: unknown): boolean {
  return (
    isShaped(value, GIFT_CARD_KEYS) &&
    isSyncId(value.lineId) &&
    isOneOf(value.kind, GIFT_CARD_KINDS) &&
    typeof value.numberDigest === 'string' &&
    DIGEST.test(value.numberDigest) &&
    isText(value.maskedNumber, 0, 40) &&
    isAmount(value.amount) &&
    (value.amount as number) > 0
  );
}

const OVERRIDE_KEYS = ['managerId', 'reason', 'at', 'auditRef', 'action'];

function isOverride(value: unknown): boolean {
  return (
    isShaped(value, OVERRIDE_KEYS) &&
    isSyncId(value.managerId) &&
    isText(value.reason, 1, 200) &&
    isIsoTime(value.at) &&
    (value.auditRef === undefined || isSyncId(value.auditRef)) &&
    (value.action === undefined || isText(value.action, 1, 60))
  );
}

const MOVEMENT_KEYS = ['movementId', 'sku', 'type', 'bucket', 'delta', 'reason'];

function isMovement(value: unknown): boolean {
  return (
    isShaped(value, MOVEMENT_KEYS) &&
    isSyncId(value.movementId) &&
    isSyncId(value.sku) &&
    isOneOf(value.type, MOVEMENT_TYPES) &&
    isOneOf(value.bucket, BUCKETS) &&
    isWhole(value.delta, -MAX_STOCK_QTY, MAX_STOCK_QTY) &&
    (value.reason === undefined || isText(value.reason, 0, 200))
  );
}

const PROMOTION_KEYS = ['promotionId', 'version'];

function isPromotionVersion(value: unknown): boolean {
  return (
    isShaped(value, PROMOTION_KEYS) &&
    isSyncId(value.promotionId) &&
    isWhole(value.version, 1, Number.MAX_SAFE_INTEGER)
  );
}

const TOTALS_KEYS = ['subtotal', 'discount', 'tax', 'total', 'cashRounding', 'paid', 'change'];

function isTotals(value: unknown): boolean {
  if (!isShaped(value, TOTALS_KEYS)) return false;
  // Every one is required: a subsequence of the shape as long as the shape is the shape.
  let count = 0;
  for (const key in value) {
    if (!isAmount(value[key])) return false;
    count += 1;
  }
  return count === TOTALS_KEYS.length;
}

const LOYALTY_KEYS = ['accountId', 'pointsEarned', 'pointsRedeemed', 'holdId'];

function isLoyalty(value: unknown): boolean {
  return (
    isShaped(value, LOYALTY_KEYS) &&
    isSyncId(value.accountId) &&
    isSafeWhole(value.pointsEarned) &&
    isSafeWhole(value.pointsRedeemed) &&
    (value.holdId === undefined || isSyncId(value.holdId))
  );
}

function isStaffRoles(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return false;
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key of Object.getOwnPropertyNames(value)) {
    // zod's record output assigns each key, and assigning `__proto__` sets the prototype instead: the
    // schema does not return such a record unchanged, so it goes to the schema.
    if (key === '__proto__') return false;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor?.enumerable || !('value' in descriptor)) return false;
    if (!isSyncId(key) || !isOneOf(descriptor.value, STAFF_ROLES)) return false;
  }
  return true;
}

const SALE_KEYS = [
  'saleId',
  'receiptNumber',
  'shiftId',
  'staffId',
  'customerId',
  'currency',
  'priceBookVersion',
  'promotionIds',
  'promotions',
  'lines',
  'giftCards',
  'totals',
  'tenders',
  'loyalty',
  'overrides',
  'settingsVersion',
  'staffRoles',
  'movements',
  'completedAt',
];
const CURRENCY = /^[A-Z]{3}$/;

/** SaleCompletedV1 by hand: true only for a payload the schema accepts and returns unchanged. */
export function isSaleCompletedV1(value: unknown): value is EventPayloads['sale.completed'] {
  if (!isShaped(value, SALE_KEYS)) return false;
  const { lines, giftCards } = value;
  return (
    isSyncId(value.saleId) &&
    isText(value.receiptNumber, 0, 60) &&
    isSyncId(value.shiftId) &&
    isSyncId(value.staffId) &&
    (value.customerId === undefined || isSyncId(value.customerId)) &&
    typeof value.currency === 'string' &&
    CURRENCY.test(value.currency) &&
    isText(value.priceBookVersion, 0, 2000) &&
    isEvery(value.promotionIds, isSyncId) &&
    // Absent, the schema's default would put [] there: only the schema may.
    isEvery(value.promotions, isPromotionVersion) &&
    isEvery(lines, isLine) &&
    (giftCards === undefined || isEvery(giftCards, isGiftCardLoad, 0, 50)) &&
    isTotals(value.totals) &&
    isEvery(value.tenders, isTender, 1) &&
    (value.loyalty === undefined || isLoyalty(value.loyalty)) &&
    isEvery(value.overrides, isOverride) &&
    (value.settingsVersion === undefined || isWhole(value.settingsVersion, 0, Number.MAX_SAFE_INTEGER)) &&
    (value.staffRoles === undefined || isStaffRoles(value.staffRoles)) &&
    isEvery(value.movements, isMovement) &&
    isIsoTime(value.completedAt) &&
    (lines as unknown[]).length + ((giftCards as unknown[] | undefined)?.length ?? 0) > 0
  );
}

const ENVELOPE_KEYS = [
  'eventId',
  'type',
  'schemaVersion',
  'storeId',
  'deviceId',
  'deviceSeq',
  'hlc',
  'occurredAt',
  'txId',
  'causes',
  'payload',
];

/**
 * EventEnvelopeSchema by hand: true only for an envelope the schema accepts and returns unchanged (its
 * payload is `unknown` to the schema: checked apart, by the event's own schema).
 */
export function isEventEnvelope(value: unknown): value is EventEnvelope {
  return (
    isShaped(value, ENVELOPE_KEYS) &&
    typeof value.eventId === 'string' &&
    isUuidText(value.eventId) &&
    isText(value.type, 1, 60) &&
    isWhole(value.schemaVersion, 1, 2_147_483_647) &&
    isSyncId(value.storeId) &&
    isSyncId(value.deviceId) &&
    isWhole(value.deviceSeq, 1, Number.MAX_SAFE_INTEGER) &&
    isText(value.hlc, 1, 120) &&
    isIsoTime(value.occurredAt) &&
    isSyncId(value.txId) &&
    (value.causes === undefined || isEvery(value.causes, isSyncId, 0, 100))
  );
}

/**
 * `checkPayload`'s answer without zod where a hand check covers the event: a `sale.completed` payload at its
 * current version that `isSaleCompletedV1` passes is the schema's answer as sent (the parse would return it
 * unchanged), so the schema's parse and copy are skipped. Anything else goes through `checkPayload`, which
 * gives the error or the schema's own output. The till's outbox and the hub's ingest both check with it.
 */
export function checkPayloadAsSent(type: string, schemaVersion: number, payload: unknown): PayloadCheck {
  if (
    type === 'sale.completed' &&
    schemaVersion === CURRENT_VERSION['sale.completed'] &&
    (EVENT_SCHEMAS['sale.completed'] as Record<number, unknown>)[schemaVersion] === SaleCompletedV1 &&
    isSaleCompletedV1(payload)
  ) {
    return { ok: true, type: 'sale.completed', payload };
  }
  return checkPayload(type, schemaVersion, payload);
}
