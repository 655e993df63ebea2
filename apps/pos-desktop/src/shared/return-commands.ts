import { lineQtySchema, REFUND_TENDER_TYPES } from '@retail/domain';
import { z } from 'zod';
import { command, id, isoTime, minor, positiveQuantity, quantity, reason, registerId } from './command-kit';

// Returns with and without a receipt.
// Part of the command map, assembled in commands.ts.

export const DISPOSITIONS = ['sellable', 'damaged', 'quality_control', 'write_off'] as const;

/** The lines of a receipt being returned (a return, or the returned side of an exchange). */
export const ReceiptReturnLinesSchema = z
  .array(
    z.object({
      lineId: id,
      qty: lineQtySchema,
      disposition: z.enum(DISPOSITIONS).default('sellable'),
    }),
  )
  .min(1)
  .max(200);

export const ReturnViewSchema = z.object({
  returnId: id,
  receiptNumber: z.string(),
  originalSaleId: id.nullable(),
  originalReceiptNumber: z.string().nullable(),
  registerId: z.string(),
  shiftId: id,
  staffId: id,
  currency: z.string(),
  lines: z.array(
    z.object({
      returnLineId: id,
      originalLineId: id.nullable(),
      sku: id,
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      qty: positiveQuantity,
      refund: minor,
      disposition: z.enum(DISPOSITIONS),
    }),
  ),
  refunds: z.array(
    z.object({
      tenderId: id,
      type: z.enum(REFUND_TENDER_TYPES),
      amount: minor,
      reference: z.string().nullable(),
      /** Points given back by a loyalty_points refund. */
      points: quantity.nullable().optional(),
      originalTenderId: id.nullable(),
    }),
  ),
  total: minor,
  /** Why the money goes back the way it does (offline card shares, no receipt), for the cashier. */
  notes: z.array(z.string()),
  completedAt: isoTime,
});
export type ReturnView = z.infer<typeof ReturnViewSchema>;

export const RETURN_COMMANDS = {
  'return-create': command({
    auth: 'cashier',
    summary:
      'Return items of a receipt: at most what was sold minus earlier returns, refunded per line as paid, to the original tenders (card shares go to cash or store credit while the hub is offline).',
    request: z
      .object({
        registerId,
        receiptNumber: z.string().trim().min(1).max(60),
        lines: ReceiptReturnLinesSchema,
        /**
         * The customer a new store credit slip from this return belongs to (optional; found with
         * customer-find first): the hub opens the credit under that customer, and the slip names them.
         */
        customerId: id.optional(),
      })
      .strict(),
    response: ReturnViewSchema,
  }),
  'return-without-receipt': command({
    auth: 'cashier',
    summary:
      'Return items without a receipt: needs a manager override, refunds store credit only, at the lowest price of the item in the recent window.',
    request: z
      .object({
        registerId,
        lines: z
          .array(
            z.object({
              sku: id,
              qty: lineQtySchema,
              disposition: z.enum(DISPOSITIONS).default('sellable'),
            }),
          )
          .min(1)
          .max(50),
        reason,
        overrideId: id.optional(),
        /**
         * The number on the receipt the customer brought when neither the till nor the hub could find it
         * (the hub offline): the no-receipt rules apply, and the hub links the return to the sale later.
         */
        originalReceiptNumber: z.string().trim().min(1).max(60).optional(),
        /**
         * The customer a new store credit slip from this return belongs to (optional; found with
         * customer-find first): the hub opens the credit under that customer, and the slip names them.
         */
        customerId: id.optional(),
      })
      .strict(),
    response: ReturnViewSchema,
  }),
  'return-get': command({
    auth: 'cashier',
    summary: 'A return by its receipt number.',
    request: z.object({ receiptNumber: z.string().trim().min(1).max(60) }).strict(),
    response: ReturnViewSchema,
  }),
} as const;
