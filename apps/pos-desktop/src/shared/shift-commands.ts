import { denominationCountSchema, drawerAmountSchema, LegalHeaderSchema } from '@retail/domain';
import { z } from 'zod';
import { command, id, isoTime, minor, positiveMinor, quantity, reason, registerId } from './command-kit';

// Shifts and the cash drawer: opening, cash in and out, X and Z reports, opening the drawer.
// Part of the command map, assembled in commands.ts.

/** Why the cash drawer is opened; `no-sale` (change for a customer, a jammed note) needs a supervisor. */
export const DRAWER_OPEN_REASONS = ['sale', 'refund', 'cash-movement', 'no-sale'] as const;
export type DrawerOpenReason = (typeof DRAWER_OPEN_REASONS)[number];

export const ShiftSummarySchema = z.object({
  shiftId: id,
  registerId: z.string(),
  staffId: id,
  currency: z.string(),
  float: minor,
  status: z.enum(['open', 'closed']),
  openedAt: isoTime,
  closedAt: isoTime.nullable(),
});
export type ShiftSummary = z.infer<typeof ShiftSummarySchema>;

export const CashMovementSchema = z.object({
  movementId: id,
  shiftId: id,
  direction: z.enum(['in', 'out']),
  amount: positiveMinor,
  reason: z.string(),
  staffId: id,
  overrideId: id.nullable(),
  movedAt: isoTime,
});

export const ShiftBreakdownSchema = z.object({
  /** Completed sales per tax rate: net taxable amount and the tax on it. */
  taxes: z.array(
    z.object({ rateId: z.string(), name: z.string(), percent: z.number(), taxable: minor, tax: minor }),
  ),
  /** Completed sales that carried a discount (promotions and manual), and what the discounts came to. */
  discounts: z.object({ count: quantity, total: minor }),
  /** Sales cancelled before payment, and completed sales voided afterwards with their total. */
  voids: z.object({ cancelledSales: quantity, postVoids: quantity, postVoidTotal: minor }),
  /** Manager overrides used in the shift, per action (price change, void, cash out over the limit...). */
  overrides: z.array(z.object({ action: z.string(), count: quantity })),
  /** Times the drawer was opened with no sale (each one audited with who opened it). */
  noSales: quantity,
  cashiers: z.array(
    z.object({
      staffId: id,
      name: z.string(),
      salesCount: quantity,
      salesTotal: minor,
      returnsCount: quantity,
      returnsTotal: minor,
    }),
  ),
  /** The legal header HQ set (`pos.receipt.legalHeader`), printed at the top of the report. */
  legal: LegalHeaderSchema.nullable(),
});
export type ShiftBreakdown = z.infer<typeof ShiftBreakdownSchema>;

export const ShiftReportSchema = z.object({
  kind: z.enum(['X', 'Z']),
  shift: ShiftSummarySchema,
  currency: z.string(),
  float: minor,
  salesCount: quantity,
  /** Net sales: the completed sales' totals without gift card loads (stored value sold is a liability). */
  salesTotal: minor,
  /**
   * Gift cards activated or reloaded on the shift's sales, on their own line: not in `salesTotal`, while
   * the cash paid for them is in `cashSales` and the drawer. Absent on older nodes.
   */
  giftCardLoads: z.object({ count: quantity, total: minor }).optional(),
  returnsCount: quantity,
  returnsTotal: minor,
  /** Net cash taken for sales (tendered minus change), cash refunded for returns. */
  cashSales: minor,
  cashRefunds: minor,
  cashIn: minor,
  cashOut: minor,
  /** float + cashSales − cashRefunds + cashIn − cashOut: what the drawer should hold. */
  expectedCash: minor,
  /** Net amount per tender type over sales minus refunds. */
  byTender: z.record(z.string(), minor),
  generatedAt: isoTime,
  /** Per VAT rate, discounts, voids, overrides, no-sales and per cashier (issue 14); absent on older nodes. */
  breakdown: ShiftBreakdownSchema.optional(),
});
export type ShiftReport = z.infer<typeof ShiftReportSchema>;

export const DenominationSchema = z.object({ value: positiveMinor, count: quantity.min(0) });
const DenominationInputSchema = z.object({
  value: drawerAmountSchema.min(1, 'A denomination is worth more than zero.'),
  count: denominationCountSchema,
});

export const ZReportSchema = ShiftReportSchema.extend({
  kind: z.literal('Z'),
  countedCash: minor,
  /** counted − expected: positive is over, negative is short. */
  overShort: minor,
  denominations: z.array(DenominationSchema),
});
export type ZReport = z.infer<typeof ZReportSchema>;

export const SHIFT_COMMANDS = {
  'shift-open': command({
    auth: 'cashier',
    summary: 'Open a shift on a register with a cash float.',
    request: z.object({ registerId, float: drawerAmountSchema }).strict(),
    response: ShiftSummarySchema,
  }),
  'shift-current': command({
    auth: 'cashier',
    summary: 'The open shift on a register, if any.',
    request: z.object({ registerId }).strict(),
    response: z.object({ shift: ShiftSummarySchema.nullable() }),
  }),
  'shift-cash-in': command({
    auth: 'cashier',
    summary: 'Put cash into the drawer (e.g. change from the safe).',
    request: z
      .object({ registerId, amount: drawerAmountSchema.min(1, 'An amount must be more than zero.'), reason })
      .strict(),
    response: CashMovementSchema,
  }),
  'shift-cash-out': command({
    auth: 'cashier',
    summary: 'Take cash out of the drawer with a reason; above the limit a manager override is needed.',
    request: z
      .object({
        registerId,
        amount: drawerAmountSchema.min(1, 'An amount must be more than zero.'),
        reason,
        overrideId: id.optional(),
      })
      .strict(),
    response: CashMovementSchema,
  }),
  'shift-x-report': command({
    auth: 'cashier',
    summary: 'Mid-shift report: takings so far and the cash the drawer should hold.',
    request: z.object({ registerId }).strict(),
    response: ShiftReportSchema,
  }),
  'shift-close': command({
    auth: 'cashier',
    summary: 'Close the shift with the counted cash by denomination; returns the Z report.',
    request: z
      .object({
        registerId,
        denominations: z
          .array(DenominationInputSchema)
          .max(40)
          .refine((list) => new Set(list.map((d) => d.value)).size === list.length, {
            message: 'List each denomination once.',
          }),
      })
      .strict(),
    response: ZReportSchema,
  }),
  'drawer-open': command({
    auth: 'cashier',
    summary:
      'Authorize one opening of the cash drawer (audited): for a cash sale, refund or cash movement, or with no sale (supervisor and above). The desktop shell kicks the drawer only with the grant this returns.',
    request: z.object({ registerId, reason: z.enum(DRAWER_OPEN_REASONS), reference: id.optional() }).strict(),
    response: z.object({
      openingId: id,
      openedAt: isoTime,
      /** Null when this node has no drawer connected to it (a headless node, a browser lane's view). */
      grant: z.string().nullable(),
      expiresAt: isoTime,
    }),
  }),
} as const;
