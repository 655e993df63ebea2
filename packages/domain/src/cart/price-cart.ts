import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import {
  DEFAULT_ROUNDING,
  add,
  allocate,
  cashRound,
  clamp,
  compare,
  extend,
  money,
  percentage,
  subtract,
  sum,
  toDecimal,
  zero,
  type CurrencyCode,
  type Money,
  type RoundingMode,
  type Unit,
} from '../money';
import { priceBookVersionTag } from '../pricing/index';
import {
  applyPromotions,
  type AppliedPromotion,
  type ConsideredPromotion,
  type Promotion,
  type PromotionLine,
} from '../promotions/index';
import {
  computeLineTax,
  ratesFor,
  summarizeTax,
  type RateTax,
  type TaxRate,
  type TaxSummary,
} from '../tax/index';

/**
 * Where a line's unit price came from. The caller decides (the store engine resolves price books, reads
 * scale labels and records manager overrides); the cart only prices what it is given.
 * - `price_book`: resolved from a price book (`resolvePrice`), per piece or per kilogram.
 * - `label`: a GS1 variable-measure label with the line's price printed on it; qty must be 1 and the
 *   printed price is the extended amount.
 * - `override`: a manager-approved price replacing the book price; the book price is kept for audit.
 */
export type LinePrice =
  | {
      readonly source: 'price_book';
      readonly unitPrice: Money;
      readonly taxInclusive: boolean;
      readonly priceBookId: string;
      readonly priceBookVersion: number;
    }
  | { readonly source: 'label'; readonly unitPrice: Money; readonly taxInclusive: boolean }
  | {
      readonly source: 'override';
      readonly unitPrice: Money;
      readonly taxInclusive: boolean;
      readonly originalUnitPrice: Money;
      readonly reason: string;
    };

/** A cashier's discount: a percentage of what remains, or a fixed amount (capped at what remains). */
export const ManualDiscountSchema = z.union([
  z.object({ percent: z.number().gt(0).max(100) }).strict(),
  z.object({ amount: z.number().int().positive().safe() }).strict(),
]);
export type ManualDiscount = z.infer<typeof ManualDiscountSchema>;

export interface CartLineInput {
  readonly lineId: string;
  readonly sku: string;
  readonly name: string;
  readonly unit: Unit;
  readonly taxCategory: string;
  readonly categoryIds: readonly string[];
  /** Pieces, or grams for kg SKUs. */
  readonly qty: number;
  readonly price: LinePrice;
  readonly discount?: ManualDiscount;
}

export interface CartInput {
  readonly currency: CurrencyCode;
  /** Epoch ms of the sale: decides which promotions and tax rates are in effect. */
  readonly at: number;
  readonly storeId: string;
  readonly regionId?: string | undefined;
  /** The jurisdictions the store sits in (state, county, city): every rate filed under them applies. */
  readonly jurisdictionIds: readonly string[];
  readonly lines: readonly CartLineInput[];
  readonly orderDiscount?: ManualDiscount;
  readonly promotions: readonly Promotion[];
  readonly taxRates: readonly TaxRate[];
  /** The store's cash increment in minor units (5 = 0.05); 1 or absent means cash is not rounded. */
  readonly cashRoundingIncrement?: number;
  readonly rounding?: RoundingMode;
}

export type AdjustmentKind = 'promotion' | 'manual_line' | 'manual_order';

export interface LineAdjustment {
  readonly kind: AdjustmentKind;
  readonly promotionId?: string;
  /** Positive: money taken off the line. */
  readonly amount: Money;
  readonly reason: string;
}

export interface PricedLine {
  readonly lineId: string;
  readonly sku: string;
  readonly name: string;
  readonly unit: Unit;
  readonly qty: number;
  readonly price: LinePrice;
  readonly unitPrice: Money;
  readonly taxInclusive: boolean;
  /** unitPrice × qty (or the label price) before any adjustment, in the price book's tax mode. */
  readonly extended: Money;
  readonly adjustments: readonly LineAdjustment[];
  /** extended − Σ adjustments: what the line costs in its tax mode (gross if inclusive, net if not). */
  readonly discounted: Money;
  /** Taxable amount without tax. */
  readonly net: Money;
  readonly tax: Money;
  readonly taxes: readonly RateTax[];
  /** What the customer pays for this line, tax included: a return refunds exactly this. */
  readonly paid: Money;
}

export interface CartTotals {
  /** Σ extended: the lines before discounts, each in its price book's tax mode. */
  readonly subtotal: Money;
  /** Σ of every adjustment. */
  readonly discount: Money;
  readonly tax: Money;
  /** Σ paid over the lines: exact, never cash-rounded. */
  readonly total: Money;
  /** What to ask for if the whole total is paid in cash (cash-rounded); settlement decides the final rounding. */
  readonly cashDue: Money;
}

export interface PricedCart {
  readonly currency: CurrencyCode;
  readonly lines: readonly PricedLine[];
  readonly totals: CartTotals;
  readonly taxSummary: TaxSummary;
  readonly promotions: {
    readonly applied: readonly AppliedPromotion[];
    readonly considered: readonly ConsideredPromotion[];
  };
  /** Deterministic tag of every price book version used, for the sale record and the hub's audit. */
  readonly priceBookVersion: string;
}

function validate(input: CartInput): void {
  money(0, input.currency);
  if (!Number.isSafeInteger(input.at)) throw invalid('cart.saleTimeMustWhole', {}, { at: input.at });
  const seen = new Set<string>();
  for (const line of input.lines) {
    if (seen.has(line.lineId)) {
      throw invalid('cart.lineAppearsTwiceCart', { lineId: line.lineId }, { lineId: line.lineId });
    }
    seen.add(line.lineId);
    if (!Number.isSafeInteger(line.qty) || line.qty <= 0) {
      throw invalid(
        'cart.quantityMustPositiveWhole',
        { lineName: line.name, unit: line.unit },
        {
          lineId: line.lineId,
          qty: line.qty,
        },
      );
    }
    if (line.price.unitPrice.currency !== input.currency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        'cart.pricedSale',
        { lineName: line.name, currency: line.price.unitPrice.currency, currency2: input.currency },
        {
          lineId: line.lineId,
        },
      );
    }
    if (line.price.unitPrice.amount < 0) {
      throw invalid('cart.negativePrice', { lineName: line.name }, { lineId: line.lineId });
    }
    if (line.price.source === 'label' && line.qty !== 1) {
      throw invalid(
        'cart.pricedLabelScanEach',
        { lineName: line.name },
        {
          lineId: line.lineId,
        },
      );
    }
    if (line.discount) parseDiscount(line.discount, `the discount on ${line.name}`);
  }
  if (input.orderDiscount) parseDiscount(input.orderDiscount, 'the order discount');
}

function parseDiscount(discount: ManualDiscount, what: string): void {
  const parsed = ManualDiscountSchema.safeParse(discount);
  if (!parsed.success) {
    throw invalid(
      'cart.mustPercentageAboveMost',
      { what: String(what[0]?.toUpperCase()), what2: what.slice(1) },
      {
        discount,
      },
    );
  }
}

/** The money a manual discount takes off `base`, never more than `base`. */
export function manualDiscountAmount(
  discount: ManualDiscount,
  base: Money,
  rounding: RoundingMode = DEFAULT_ROUNDING,
): Money {
  const wanted =
    'percent' in discount
      ? percentage(base, discount.percent, rounding)
      : money(discount.amount, base.currency);
  return clamp(wanted, base);
}

function describeManual(discount: ManualDiscount, currency: CurrencyCode, level: 'line' | 'order'): string {
  const what = level === 'line' ? 'Line discount' : 'Order discount';
  return 'percent' in discount
    ? `${what} ${discount.percent}%`
    : `${what} ${toDecimal(money(discount.amount, currency))}`;
}

/**
 * Prices a cart: extended prices, promotions, manual line and order discounts, per-line tax and totals.
 *
 * Order of operations (each step works on what the previous steps left of a line, so no line goes below
 * zero and the same input always gives the same output):
 * 1. extended = unit price × qty (kg lines: per-kilogram price × grams, rounded once), or the label price;
 * 2. promotions (`applyPromotions`), line-level then order-level, all returned per line;
 * 3. manual line discounts on what remains of each line;
 * 4. a manual order discount on what remains of the whole cart, allocated to lines by largest remainder in
 *    proportion to what remains of each, so the lines sum exactly to the total (a cent left over on a
 *    tie goes to the smaller lineId, so the split does not depend on the order the lines were scanned);
 * 5. tax per line on the discounted amount (inclusive lines: extracted from it; exclusive: added to it),
 *    rounded per line and per rate;
 * 6. paid = what the line costs with tax; the total is Σ paid, exactly.
 */
export function priceCart(input: CartInput): PricedCart {
  validate(input);
  const { currency } = input;
  const rounding = input.rounding ?? DEFAULT_ROUNDING;

  const extendedById = new Map<string, Money>();
  for (const line of input.lines) {
    const extended =
      line.price.source === 'label'
        ? line.price.unitPrice
        : extend(line.price.unitPrice, line.qty, line.unit, rounding);
    extendedById.set(line.lineId, extended);
  }

  const promotionLines: PromotionLine[] = input.lines.map((line) => ({
    lineId: line.lineId,
    sku: line.sku,
    categoryIds: line.categoryIds,
    unit: line.unit,
    qty: line.qty,
    unitPrice: line.price.unitPrice,
    amount: extendedById.get(line.lineId) ?? zero(currency),
  }));
  const outcome =
    input.lines.length === 0
      ? { adjustments: [], applied: [], considered: [] }
      : applyPromotions(promotionLines, input.promotions, {
          at: input.at,
          storeId: input.storeId,
          regionId: input.regionId,
          currency,
        });

  const adjustmentsById = new Map<string, LineAdjustment[]>(input.lines.map((line) => [line.lineId, []]));
  for (const adjustment of outcome.adjustments) {
    adjustmentsById.get(adjustment.lineId)?.push({
      kind: 'promotion',
      promotionId: adjustment.promotionId,
      amount: adjustment.amount,
      reason: adjustment.reason,
    });
  }

  const remainingOf = (lineId: string): Money =>
    subtract(
      extendedById.get(lineId) ?? zero(currency),
      sum(
        (adjustmentsById.get(lineId) ?? []).map((adjustment) => adjustment.amount),
        currency,
      ),
    );

  for (const line of input.lines) {
    if (!line.discount) continue;
    const amount = manualDiscountAmount(line.discount, remainingOf(line.lineId), rounding);
    if (amount.amount > 0) {
      adjustmentsById.get(line.lineId)?.push({
        kind: 'manual_line',
        amount,
        reason: describeManual(line.discount, currency, 'line'),
      });
    }
  }

  if (input.orderDiscount && input.lines.length > 0) {
    const remaining = input.lines.map((line) => remainingOf(line.lineId));
    const base = sum(remaining, currency);
    const amount = manualDiscountAmount(input.orderDiscount, base, rounding);
    if (amount.amount > 0) {
      const shares = allocate(
        amount,
        remaining.map((value) => value.amount),
        input.lines.map((line) => line.lineId),
      );
      const reason = describeManual(input.orderDiscount, currency, 'order');
      input.lines.forEach((line, index) => {
        const share = shares[index];
        if (share && share.amount > 0) {
          adjustmentsById.get(line.lineId)?.push({ kind: 'manual_order', amount: share, reason });
        }
      });
    }
  }

  // What remains of each line once every adjustment is in: taxed, and kept as the line's `discounted`.
  const discountedAmounts = input.lines.map((line) => remainingOf(line.lineId));
  const taxResults = input.lines.map((line, index) => {
    const rates = ratesFor(input.taxRates, {
      jurisdictionId: input.jurisdictionIds,
      taxCategory: line.taxCategory,
      at: input.at,
    });
    return computeLineTax(discountedAmounts[index] ?? zero(currency), rates, {
      inclusive: line.price.taxInclusive,
      rounding,
    });
  });

  const lines: PricedLine[] = input.lines.map((line, index) => {
    const tax = taxResults[index];
    const discounted = discountedAmounts[index] ?? zero(currency);
    if (!tax || compare(discounted, zero(currency)) < 0) {
      throw new DomainError(
        'INTERNAL',
        'cart.lineDiscountedBelowZero',
        { lineId: line.lineId },
        {
          lineId: line.lineId,
        },
      );
    }
    return {
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      price: line.price,
      unitPrice: line.price.unitPrice,
      taxInclusive: line.price.taxInclusive,
      extended: extendedById.get(line.lineId) ?? zero(currency),
      adjustments: adjustmentsById.get(line.lineId) ?? [],
      discounted,
      net: tax.net,
      tax: tax.tax,
      taxes: tax.taxes,
      paid: tax.gross,
    };
  });

  const total = sum(
    lines.map((line) => line.paid),
    currency,
  );
  const increment = input.cashRoundingIncrement ?? 1;
  const usedBooks = input.lines.flatMap((line) =>
    line.price.source === 'price_book'
      ? [{ priceBookId: line.price.priceBookId, priceBookVersion: line.price.priceBookVersion }]
      : [],
  );

  return {
    currency,
    lines,
    totals: {
      subtotal: sum(
        lines.map((line) => line.extended),
        currency,
      ),
      discount: sum(
        lines.flatMap((line) => line.adjustments.map((adjustment) => adjustment.amount)),
        currency,
      ),
      tax: sum(
        lines.map((line) => line.tax),
        currency,
      ),
      total,
      cashDue: increment === 1 ? total : cashRound(total, increment, rounding),
    },
    taxSummary: summarizeTax(taxResults, currency),
    promotions: { applied: outcome.applied, considered: outcome.considered },
    priceBookVersion: priceBookVersionTag(usedBooks),
  };
}

/**
 * Spreads a cash-rounding adjustment over the lines in proportion to what each paid, so the lines' `paid`
 * amounts sum to what the customer actually handed over net of change. Returns then refund real money: a
 * sale rounded down to 12.30 in cash never refunds 12.32. Tax rows are not touched (rounding is not a
 * taxable amount). Rounding never exceeds the total, so no line goes below zero.
 */
export function spreadCashRounding(
  lines: readonly Pick<PricedLine, 'lineId' | 'paid'>[],
  cashRounding: Money,
): Money[] {
  if (lines.length === 0 || cashRounding.amount === 0) return lines.map((line) => line.paid);
  const total = sum(
    lines.map((line) => line.paid),
    cashRounding.currency,
  );
  if (cashRounding.amount < 0 && -cashRounding.amount > total.amount) {
    throw invalid(
      'cart.cashRoundingCannotLarger',
      {},
      {
        cashRounding: cashRounding.amount,
      },
    );
  }
  const shares = allocate(
    cashRounding,
    lines.map((line) => line.paid.amount),
    lines.map((line) => line.lineId),
  );
  return lines.map((line, index) => add(line.paid, shares[index] ?? zero(cashRounding.currency)));
}
