import { add, compare, max, percentage, sum, zero, type CurrencyCode, type Money } from '../money';
import type { AdjustmentKind } from './price-cart';

/** The percentage limits that apply to a cart's manual discounts: each is that of whoever gave it. */
export interface DiscountLimits {
  /** The limit for one line's own discount. */
  readonly linePercent: (lineId: string) => number;
  /** The limit for the order discount. */
  readonly orderPercent: number;
}

/**
 * What the check reads of a cart: a till passes its priced cart, the hub a synced sale's lines (each
 * line's `extended` before any adjustment, and the subtotal Σ extended).
 */
export interface DiscountedCart {
  readonly currency: CurrencyCode;
  readonly lines: readonly {
    readonly lineId: string;
    readonly sku: string;
    readonly name: string;
    readonly extended: Money;
    readonly adjustments: readonly { readonly kind: AdjustmentKind; readonly amount: Money }[];
  }[];
  readonly totals: { readonly subtotal: Money };
}

export type DiscountLimitCheck =
  | { readonly within: true }
  | {
      readonly within: false;
      /** `line`: one line's own discount is too big; `sale`: the order discount on top of the rest is. */
      readonly scope: 'line' | 'sale';
      readonly lineId?: string;
      readonly sku?: string;
      readonly name?: string;
      /** The limit that was passed, in percent. */
      readonly limitPercent: number;
      /** The manual discount given (on the line, or on the whole sale). */
      readonly given: Money;
      /** The most the limit allows there. */
      readonly allowed: Money;
    };

/**
 * Whether a priced cart's manual discounts stay within their limits, judged on the cart as it stands, so
 * a quantity lowered or a line removed after an amount discount counts:
 * - each line's own discount is at most its limit's percent of the line before discounts;
 * - an order discount may bring all manual discounts together (line and order discounts stack) to at most
 *   its limit's percent of the subtotal, and never adds anything to line discounts already past that.
 * Percentages round half up, as the cart rounds a percentage discount, so a discount of exactly the
 * limit's percent is always within it.
 */
export function checkManualDiscountLimit(cart: DiscountedCart, limits: DiscountLimits): DiscountLimitCheck {
  const currency = cart.currency;
  let lineDiscounts = zero(currency);
  let orderDiscount = zero(currency);
  for (const line of cart.lines) {
    const own = sum(
      line.adjustments
        .filter((adjustment) => adjustment.kind === 'manual_line')
        .map((adjustment) => adjustment.amount),
      currency,
    );
    const limitPercent = limits.linePercent(line.lineId);
    const allowed = percentage(line.extended, limitPercent, 'HALF_UP');
    if (compare(own, allowed) > 0) {
      return {
        within: false,
        scope: 'line',
        lineId: line.lineId,
        sku: line.sku,
        name: line.name,
        limitPercent,
        given: own,
        allowed,
      };
    }
    lineDiscounts = add(lineDiscounts, own);
    orderDiscount = add(
      orderDiscount,
      sum(
        line.adjustments
          .filter((adjustment) => adjustment.kind === 'manual_order')
          .map((adjustment) => adjustment.amount),
        currency,
      ),
    );
  }
  if (orderDiscount.amount === 0) return { within: true };
  const given = add(lineDiscounts, orderDiscount);
  // Rounding half up per line can leave line discounts a minor unit above the percent of the subtotal:
  // that is never counted against the order discount's giver, but nothing may be added on top of it.
  const allowed = max(percentage(cart.totals.subtotal, limits.orderPercent, 'HALF_UP'), lineDiscounts);
  if (compare(given, allowed) > 0) {
    return { within: false, scope: 'sale', limitPercent: limits.orderPercent, given, allowed };
  }
  return { within: true };
}
