import { z } from 'zod';
import { DomainError } from './errors';
import type { Unit } from './money';

/**
 * The one set of bounds for quantities and amounts. The till's command schemas, the hub's API schemas and
 * the push validator all use these, so nothing a till accepts is refused by the hub, and nothing either
 * side accepts can overflow a safe integer when it is multiplied or summed. Each bound is far above what a
 * real store needs (docs/domain.md "Bounds" says why each value was chosen).
 */

/** Pieces on one sale, return, exchange or pick line; for weighed SKUs grams, so one tonne. */
export const MAX_LINE_QTY = 1_000_000;
/** Units in one stock movement: a receipt or transfer line, an adjustment, a count, a reservation. */
export const MAX_STOCK_QTY = 1_000_000_000;
/**
 * Minor units of any single amount: a unit price, a line, a sale total, a tender, a refund, an order's
 * payment. 10^12 is 10 billion EUR or 1 trillion JPY; 9,000 sales at this bound still sum exactly.
 */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Minor units of a register float, one cash movement in or out of a drawer, or one denomination. */
export const MAX_DRAWER_AMOUNT = 10_000_000_000;
/** Notes or coins of one denomination in a drawer count. */
export const MAX_DENOMINATION_COUNT = 1_000_000;

/** 1000000 → "1,000,000", without depending on the runtime's locale data. */
function grouped(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const whole = (what: string) => z.number().int(`${what} must be a whole number.`);

/** A positive quantity on a sale, return, exchange or pick line. */
export const lineQtySchema = whole('A quantity')
  .min(1, 'A quantity must be at least 1.')
  .max(MAX_LINE_QTY, `A line holds at most ${grouped(MAX_LINE_QTY)} pieces (or grams of a weighed item).`);

/** A positive quantity in one stock movement. */
export const stockQtySchema = whole('A quantity')
  .min(1, 'A quantity must be at least 1.')
  .max(MAX_STOCK_QTY, `One stock line moves at most ${grouped(MAX_STOCK_QTY)} units.`);

/** A counted quantity (zero allowed). */
export const countedQtySchema = whole('A count')
  .min(0, 'A count cannot be negative.')
  .max(MAX_STOCK_QTY, `A count is at most ${grouped(MAX_STOCK_QTY)} units.`);

/** A signed stock movement. */
export const stockDeltaSchema = whole('A stock change')
  .min(-MAX_STOCK_QTY, `One stock movement changes at most ${grouped(MAX_STOCK_QTY)} units.`)
  .max(MAX_STOCK_QTY, `One stock movement changes at most ${grouped(MAX_STOCK_QTY)} units.`);

const tooLarge = `An amount is at most ${grouped(MAX_AMOUNT)} minor units.`;

/** An amount of money in minor units, zero or more. */
export const amountSchema = whole('An amount')
  .min(0, 'An amount cannot be negative.')
  .max(MAX_AMOUNT, tooLarge);

/** An amount that is more than zero. */
export const positiveAmountSchema = amountSchema.min(1, 'An amount must be more than zero.');

/** An amount that may be negative (cash rounding, over/short, a net figure). */
export const signedAmountSchema = whole('An amount').min(-MAX_AMOUNT, tooLarge).max(MAX_AMOUNT, tooLarge);

const drawerTooLarge = `A drawer amount is at most ${grouped(MAX_DRAWER_AMOUNT)} minor units.`;

/** A register float, a cash movement or a denomination (zero or more). */
export const drawerAmountSchema = whole('An amount')
  .min(0, 'An amount cannot be negative.')
  .max(MAX_DRAWER_AMOUNT, drawerTooLarge);

/** How many notes or coins of one denomination. */
export const denominationCountSchema = whole('A count')
  .min(0, 'A count cannot be negative.')
  .max(MAX_DENOMINATION_COUNT, `Count at most ${grouped(MAX_DENOMINATION_COUNT)} of one denomination.`);

/**
 * A line's undiscounted amount as the cart computes it (qty × unit price, grams × price per kg / 1000,
 * rounded half up; a label line's printed price), in BigInt so it can be checked before anything
 * multiplies it in floating point.
 */
export function lineAmountBound(unitPrice: number, qty: number, unit: Unit, labelPriced = false): bigint {
  if (labelPriced) return BigInt(unitPrice);
  const product = BigInt(unitPrice) * BigInt(qty);
  return unit === 'each' ? product : (product + 500n) / 1000n;
}

/**
 * Refuses a cart whose lines or subtotal would pass MAX_AMOUNT, before pricing multiplies anything: a line
 * of MAX_LINE_QTY at MAX_AMOUNT each must be a clear refusal, not an overflow deep inside the totals.
 */
export function assertCartWithinBounds(
  lines: readonly {
    readonly sku: string;
    readonly qty: number;
    readonly unitPrice: number;
    readonly unit: Unit;
    readonly labelPriced?: boolean;
  }[],
): void {
  let subtotal = 0n;
  for (const line of lines) {
    if (!Number.isSafeInteger(line.qty) || line.qty < 1 || line.qty > MAX_LINE_QTY) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        'bounds.lineHoldsMostPieces',
        { MAX_LINE_QTY: grouped(MAX_LINE_QTY), sku: line.sku, qty: String(line.qty) },
        { sku: line.sku, qty: line.qty, maxQty: MAX_LINE_QTY },
      );
    }
    const amount = lineAmountBound(line.unitPrice, line.qty, line.unit, line.labelPriced);
    if (amount > BigInt(MAX_AMOUNT)) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        'bounds.lineComesMoreTill',
        { sku: line.sku },
        { sku: line.sku, qty: line.qty, maxAmount: MAX_AMOUNT },
      );
    }
    subtotal += amount;
  }
  if (subtotal > BigInt(MAX_AMOUNT)) {
    throw new DomainError('LIMIT_EXCEEDED', 'bounds.saleComesMoreTill', {}, { maxAmount: MAX_AMOUNT });
  }
}

/** Refuses a computed amount (a total, a counted drawer) beyond MAX_AMOUNT with a sentence saying what. */
export function assertAmountWithinBounds(amount: number | bigint, what: string): void {
  const within =
    typeof amount === 'bigint'
      ? amount <= BigInt(MAX_AMOUNT) && amount >= -BigInt(MAX_AMOUNT)
      : Number.isSafeInteger(amount) && Math.abs(amount) <= MAX_AMOUNT;
  if (!within) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'bounds.comesMoreTillCan',
      { what, MAX_AMOUNT: grouped(MAX_AMOUNT) },
      { maxAmount: MAX_AMOUNT },
    );
  }
}
