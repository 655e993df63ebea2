import { z } from 'zod';

/**
 * Online-order returns at a store till (docs/orders.md "Online-order returns"): the till asks the hub, with
 * its device credential and only while online, what of an online order may still come back, and records the
 * return there. The hub owns the order's returnable quantities chain-wide, its payment record and the stock
 * movement at the till's store, so nothing of it can be done offline. Amounts are minor units.
 */

export const ORDER_RETURN_SYNC_PATHS = {
  /** `GET {orders}/{orderNumber}/returnable` */
  orders: '/sync/orders',
  returns: '/sync/order-returns',
} as const;

const id = z.string().trim().min(1).max(100);
const count = z.number().int().min(0).max(1_000_000);

export const ORDER_RETURN_DISPOSITIONS = ['sellable', 'damaged'] as const;

export const OrderReturnableSchema = z.object({
  orderNumber: z.string().max(100),
  customerName: z.string().max(200),
  lines: z
    .array(z.object({ lineId: id, sku: id, delivered: count, returned: count, returnable: count }))
    .max(200),
});
export type OrderReturnable = z.infer<typeof OrderReturnableSchema>;

export const StoreOrderReturnRequestSchema = z.object({
  /** Chosen by the till once per return, so a retried request records it once. */
  returnId: z.uuid(),
  orderNumber: z.string().trim().min(1).max(100),
  lines: z
    .array(
      z.object({
        lineId: id,
        qty: z.number().int().min(1).max(1_000_000),
        /** Back on sale at this store, or into its damaged bucket. */
        disposition: z.enum(ORDER_RETURN_DISPOSITIONS).default('sellable'),
      }),
    )
    .min(1)
    .max(200),
});
export type StoreOrderReturnRequest = z.input<typeof StoreOrderReturnRequestSchema>;

/** One record per order part the units came from (a split order may give several). */
export const StoreOrderReturnAnswerSchema = z
  .array(
    z.object({
      returnId: z.string(),
      orderId: z.string(),
      lines: z.array(
        z.object({
          lineId: z.string(),
          sku: z.string(),
          qty: z.number().int(),
          disposition: z.enum(ORDER_RETURN_DISPOSITIONS).optional(),
          refund: z.number().int(),
        }),
      ),
      refundAmount: z.number().int(),
      /** `refund`: sent to the original payment; `capture_reduced`: charged less; `manual`: refund by hand. */
      refund: z.enum(['refund', 'capture_reduced', 'manual']).nullable(),
    }),
  )
  .min(1)
  .max(50);
export type StoreOrderReturnAnswer = z.infer<typeof StoreOrderReturnAnswerSchema>;
