import { amountSchema, lineQtySchema, positiveAmountSchema, REFUND_TENDER_TYPES } from '@retail/domain';
import { z } from 'zod';
import {
  command,
  empty,
  id,
  isoTime,
  minor,
  positiveQuantity,
  quantity,
  reason,
  registerId,
  saleId,
} from './command-kit';
import {
  LOYALTY_TENDER_INPUTS,
  SaleCustomerSchema,
  StoredValueNumberSchema,
  TenderRedemptionSchema,
} from './loyalty-commands';
import { ReceiptReturnLinesSchema } from './return-commands';

// The sale in progress and completed sales: lines, discounts, tenders, exchange, completion, voids.
// Part of the command map, assembled in commands.ts.

/** A cashier's manual discount: a percentage of what remains of the line or order, or a fixed amount. */
export const ManualDiscountInputSchema = z.union([
  z.object({ percent: z.number().gt(0).max(100) }).strict(),
  z.object({ amount: positiveAmountSchema }).strict(),
]);

export const SaleLineViewSchema = z.object({
  lineId: id,
  sku: id,
  name: z.string(),
  unit: z.enum(['each', 'kg']),
  /** Pieces, or grams for kg SKUs. */
  qty: quantity,
  unitPrice: minor,
  taxInclusive: z.boolean(),
  priceSource: z.enum(['price_book', 'label', 'override']),
  priceBookId: z.string().nullable(),
  /** The book price an override replaced. */
  originalUnitPrice: minor.nullable(),
  extended: minor,
  adjustments: z.array(
    z.object({
      kind: z.enum(['promotion', 'manual_line', 'manual_order']),
      promotionId: z.string().nullable(),
      amount: minor,
      reason: z.string(),
    }),
  ),
  discount: ManualDiscountInputSchema.nullable(),
  net: minor,
  tax: minor,
  /** What the customer pays for the line, tax included. */
  paid: minor,
  /** On a sale the hub answered for (returns anywhere): what is still returnable after every store's returns. */
  returnableQty: z.number().int().min(0).safe().optional(),
});

export const SaleTenderViewSchema = z.object({
  tenderId: id,
  /**
   * store_credit is the credit of an exchange (no `redemption`) or a store credit account spent on this
   * sale (with `redemption`); gift_card and loyalty_points always carry `redemption`.
   */
  type: z.enum(['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points']),
  tendered: minor,
  amount: minor,
  change: minor,
  reference: z.string().nullable(),
  /** Points spent by a loyalty_points tender. */
  points: quantity.optional(),
  /** How a points, store credit or gift card payment is secured: an online hold or the offline allowance. */
  redemption: TenderRedemptionSchema.nullable().optional(),
  /**
   * Present (and positive) only on a non-cash tender that is more than the sale now comes to: the part of
   * `tendered` beyond what it pays (`amount`). See `payment.overTendered`.
   */
  overTendered: minor.optional(),
});

/**
 * The sale now comes to less than its card, gift card, store credit or points tenders (a price book that
 * started, or a discount given, after they were taken). Those cannot give change: the sale cannot complete
 * until the tenders named here are removed (`sale-remove-tender`) and `dueOnceRemoved` is taken instead.
 */
export const OverTenderedSchema = z.object({
  /** By how much the non-cash tenders exceed the amount due: Σ non-cash − total. */
  amount: minor,
  /** The tenders carrying that excess, in the order they were taken: remove all of them. */
  tenderIds: z.array(id).min(1),
  /** What is still due once those tenders are removed (exact; cash-rounded if paid in cash). */
  dueOnceRemoved: minor,
});

/** A refund as a customer reads it: no account ids, a store credit slip by its code, a card masked. */
export const ExchangeRefundSchema = z.object({
  type: z.enum(REFUND_TENDER_TYPES),
  amount: minor,
  /** Points given back, for a loyalty_points refund. */
  points: quantity.nullable(),
  reference: z.string().nullable(),
});

export const SaleViewSchema = z.object({
  saleId: id,
  status: z.enum(['open', 'parked', 'completed', 'voided']),
  registerId: z.string(),
  shiftId: id.nullable(),
  staffId: id,
  customerId: z.string().nullable(),
  /** The attached customer with their points balance and its age (absent on nodes older than issue 7). */
  customer: SaleCustomerSchema.nullable().optional(),
  currency: z.string(),
  receiptNumber: z.string().nullable(),
  lines: z.array(SaleLineViewSchema),
  /**
   * Gift cards sold (`activate`: a card the hub and this till did not know) or reloaded on the sale. The
   * hub loads each card once when the sale reaches it; until then the card cannot be spent.
   */
  giftCards: z
    .array(
      z.object({
        lineId: id,
        kind: z.enum(['activate', 'reload']),
        maskedNumber: z.string(),
        amount: minor,
      }),
    )
    .optional(),
  orderDiscount: ManualDiscountInputSchema.nullable(),
  totals: z.object({
    subtotal: minor,
    discount: minor,
    tax: minor,
    /** Σ line paid before cash rounding. */
    total: minor,
    /** What to ask for if the whole sale is paid in cash (cash-rounded). */
    cashDue: minor,
  }),
  tenders: z.array(SaleTenderViewSchema),
  payment: z.object({
    /** Still owed, exact. */
    remaining: minor,
    /** What to ask for if the rest is paid in cash now (cash-rounded). */
    cashDue: minor,
    change: minor,
    cashRounding: minor,
    /** Nothing is still due and nothing is over-tendered: `sale-complete` takes it. */
    complete: z.boolean(),
    /**
     * Present only when the non-cash tenders exceed what the sale now comes to. Such a sale is shown, never
     * refused, but does not complete (`sale-complete`: LIMIT_EXCEEDED) until those tenders are removed.
     */
    overTendered: OverTenderedSchema.optional(),
  }),
  promotions: z.array(
    z.object({ promotionId: z.string(), version: z.number().int(), name: z.string(), total: minor }),
  ),
  taxSummary: z.array(
    z.object({ rateId: z.string(), name: z.string(), percent: z.number(), taxable: minor, tax: minor }),
  ),
  priceBookVersion: z.string(),
  /** Items brought back against another receipt in the same transaction (an exchange). */
  exchange: z
    .object({
      receiptNumber: z.string(),
      lines: z.array(z.object({ lineId: id, sku: z.string(), qty: positiveQuantity, refund: minor })),
      /** What the returned items refund. */
      refund: minor,
      /** The part of it spent on this sale. */
      credit: minor,
      /** The rest, refunded to the original tenders when the sale completes. */
      refundDue: minor,
      /** Once completed: the receipt number of the exchange's return half. */
      returnReceiptNumber: z.string().nullable().optional(),
      /**
       * Once completed: how `refundDue` went back, each as the customer reads it (points with their count,
       * a new store credit slip with its code, a gift card by its masked number), so none of it is hidden.
       */
      refunds: z.array(ExchangeRefundSchema).optional(),
    })
    .nullable(),
  startedAt: isoTime,
  completedAt: isoTime.nullable(),
  /** Present when this till does not hold the sale and the hub answered for it: the store that sold it. */
  soldAt: z.object({ storeId: z.string(), source: z.literal('hub') }).optional(),
});
export type SaleView = z.infer<typeof SaleViewSchema>;

export const SALE_COMMANDS = {
  'sale-start': command({
    auth: 'cashier',
    summary: 'Start a sale on a register; the register needs an open shift.',
    request: z.object({ registerId }).strict(),
    response: SaleViewSchema,
  }),
  'sale-current': command({
    auth: 'cashier',
    summary: 'The sale in progress on a register, if any (a lane picks it up again after a restart).',
    request: z.object({ registerId }).strict(),
    response: z.object({ sale: SaleViewSchema.nullable() }),
  }),
  'sale-get': command({
    auth: 'cashier',
    summary: 'A sale as it stands: lines, promotions, tax, totals, tenders.',
    request: saleId.strict(),
    response: SaleViewSchema,
  }),
  'sale-add-line': command({
    auth: 'cashier',
    summary:
      'Add an item by scanned code (GTIN, store code or scale label with weight or price) or by SKU; qty is pieces, or grams for weighed goods.',
    request: z
      .object({
        saleId: id,
        code: z.string().trim().min(1).max(100).optional(),
        sku: id.optional(),
        qty: lineQtySchema.optional(),
      })
      .strict()
      .refine((input) => (input.code === undefined) !== (input.sku === undefined), {
        message: 'Give either a scanned code or a SKU.',
      }),
    response: SaleViewSchema,
  }),
  'sale-add-gift-card': command({
    auth: 'cashier',
    summary:
      'Sell a gift card (a number the hub does not know yet) or reload one, for `amount`; the hub loads the card once the sale reaches it.',
    request: z.object({ saleId: id, number: StoredValueNumberSchema, amount: positiveAmountSchema }).strict(),
    response: SaleViewSchema,
  }),
  'sale-set-qty': command({
    auth: 'cashier',
    summary: 'Change the quantity (pieces, or grams) of a line.',
    request: z.object({ saleId: id, lineId: id, qty: lineQtySchema }).strict(),
    response: SaleViewSchema,
  }),
  'sale-remove-line': command({
    auth: 'cashier',
    summary: 'Take a line off the sale.',
    request: z.object({ saleId: id, lineId: id }).strict(),
    response: SaleViewSchema,
  }),
  'sale-override-price': command({
    auth: 'cashier',
    summary: "Replace a line's unit price; needs a manager override (price-override).",
    request: z
      .object({ saleId: id, lineId: id, unitPrice: amountSchema, reason, overrideId: id.optional() })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-discount-line': command({
    auth: 'cashier',
    summary:
      "Give (or with null, remove) a manual discount on a line; beyond the role's limit a supervisor or manager approves it (discount-over-limit).",
    request: z
      .object({
        saleId: id,
        lineId: id,
        discount: ManualDiscountInputSchema.nullable(),
        overrideId: id.optional(),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-discount-order': command({
    auth: 'cashier',
    summary:
      "Give (or with null, remove) a manual discount on the whole sale; beyond the role's limit a supervisor or manager approves it (discount-over-limit).",
    request: z
      .object({ saleId: id, discount: ManualDiscountInputSchema.nullable(), overrideId: id.optional() })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-attach-customer': command({
    auth: 'cashier',
    summary:
      'Attach (or with null, detach) a customer to the sale; the sale view then carries the customer and their points balance with its age.',
    request: z.object({ saleId: id, customerId: id.nullable() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-park': command({
    auth: 'cashier',
    summary: 'Put a sale aside to serve someone else; it keeps its lines.',
    request: saleId.strict(),
    response: SaleViewSchema,
  }),
  'sale-resume': command({
    auth: 'cashier',
    summary: 'Bring a parked sale back onto a register with an open shift.',
    request: z.object({ saleId: id, registerId }).strict(),
    response: SaleViewSchema,
  }),
  'sale-list-parked': command({
    auth: 'cashier',
    summary: 'Parked sales, oldest first.',
    request: empty,
    response: z.object({
      sales: z.array(
        z.object({
          saleId: id,
          registerId: z.string(),
          staffId: id,
          parkedAt: isoTime,
          lines: quantity,
          total: minor,
        }),
      ),
    }),
  }),
  'sale-add-tender': command({
    auth: 'cashier',
    summary:
      'Add a payment: cash (amount handed over), card (amount charged, terminal reference), loyalty points, store credit or gift card (held at the hub when it answers, else within the offline allowance: OFFLINE_LIMIT beyond it). A non-cash tender beyond what is still due is refused (LIMIT_EXCEEDED): only cash gives change.',
    request: z
      .object({
        saleId: id,
        tender: z.discriminatedUnion('type', [
          z.object({ type: z.literal('cash'), amount: positiveAmountSchema }).strict(),
          z
            .object({
              type: z.literal('card'),
              amount: positiveAmountSchema,
              reference: z.string().trim().min(1).max(100),
            })
            .strict(),
          ...LOYALTY_TENDER_INPUTS,
        ]),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-remove-tender': command({
    auth: 'cashier',
    summary:
      'Take a payment off the sale before it completes (a points, store credit or gift card hold is released).',
    request: z.object({ saleId: id, tenderId: id }).strict(),
    response: SaleViewSchema,
  }),
  'sale-set-exchange': command({
    auth: 'cashier',
    summary:
      'Turn the sale into an exchange: items of an earlier receipt come back in the same transaction and what they refund pays for this sale (null removes it).',
    request: z
      .object({
        saleId: id,
        exchange: z
          .object({
            receiptNumber: z.string().trim().min(1).max(60),
            lines: ReceiptReturnLinesSchema,
          })
          .nullable(),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-complete': command({
    auth: 'cashier',
    summary:
      "Complete a fully paid sale in one transaction: receipt number, lines, tax, tenders, stock movements and the sale.completed event. Manual discounts are checked against the final cart: beyond the role's limit a supervisor or manager approves them (discount-over-limit). An over-tendered sale (payment.overTendered) is refused with LIMIT_EXCEEDED until those tenders are removed.",
    request: z.object({ saleId: id, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-void': command({
    auth: 'cashier',
    summary: 'Abandon a sale that is not completed; needs a manager override (sale-void).',
    request: z.object({ saleId: id, reason, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-post-void': command({
    auth: 'cashier',
    summary:
      'Cancel a completed sale during the same shift: tenders refunded, stock put back; needs a manager override (sale-post-void).',
    request: z.object({ saleId: id, reason, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-find': command({
    auth: 'cashier',
    summary: 'A completed or voided sale by its receipt number.',
    request: z.object({ receiptNumber: z.string().trim().min(1).max(60) }).strict(),
    response: SaleViewSchema,
  }),
} as const;
