import { z } from 'zod';
import type { CommandAuth } from './roles';

/**
 * Online-order returns at the till: an order bought online (collected in any store, or shipped) brought
 * back to this store. The hub holds the order, what of it is still returnable chain-wide and its payment,
 * so both commands need it online; offline they fail with a sentence saying so. Refunds go to the original
 * payment through the hub (never cash from this drawer); the stock goes to this store's sellable or damaged
 * bucket. Amounts are integer minor units.
 */

const id = z.string().trim().min(1).max(100);
const isoTime = z.iso.datetime({ offset: true });
const quantity = z.number().int().safe();
const orderNumber = z.string().trim().min(1).max(100);

export const ORDER_RETURN_DISPOSITIONS = ['sellable', 'damaged'] as const;

const ReturnableLineSchema = z.object({
  lineId: id,
  sku: id,
  /** From this store's catalog; null when the SKU is not in it. */
  name: z.string().nullable(),
  unit: z.enum(['each', 'kg']).nullable(),
  /** Units that reached the customer (collected, or in the parcels that left). */
  delivered: quantity,
  /** Returned already, at any store or by mail. */
  returned: quantity,
  returnable: quantity,
});

export const OrderReturnableViewSchema = z.object({
  orderNumber: z.string(),
  customerName: z.string(),
  lines: z.array(ReturnableLineSchema),
});
export type OrderReturnableView = z.infer<typeof OrderReturnableViewSchema>;

export const OrderReturnResultSchema = z.object({
  returnId: z.uuid(),
  orderNumber: z.string(),
  lines: z.array(
    z.object({
      lineId: id,
      sku: id,
      name: z.string().nullable(),
      unit: z.enum(['each', 'kg']).nullable(),
      qty: quantity,
      disposition: z.enum(ORDER_RETURN_DISPOSITIONS),
      /** What goes back to the customer for this line. */
      refund: quantity,
    }),
  ),
  refundAmount: quantity,
  /**
   * `card`: sent to the original payment; `reduced_charge`: the order is charged that much less (not
   * captured yet); `manual`: the shop holds the payment, HQ refunds it by hand (the order's history says).
   */
  refundMethod: z.enum(['card', 'reduced_charge', 'manual']),
  recordedAt: isoTime,
});
export type OrderReturnResult = z.infer<typeof OrderReturnResultSchema>;

function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

export const ORDER_RETURN_COMMANDS = {
  'order-return-lookup': command({
    auth: 'cashier',
    summary:
      'An online order by its number, from the hub: each line with what reached the customer, what came back already, and what may still be returned (online only).',
    request: z.object({ orderNumber }).strict(),
    response: OrderReturnableViewSchema,
  }),
  'order-return-create': command({
    auth: 'cashier',
    summary:
      "Take back units of an online order at this store: at most what the hub says is returnable, refunded to the original payment, stock into this store's sellable or damaged bucket (online only; the same returnId again records it once).",
    request: z
      .object({
        /** Chosen once per return on the till's screen: a retry after a timeout is recorded once. */
        returnId: z.uuid(),
        orderNumber,
        lines: z
          .array(
            z
              .object({
                lineId: id,
                qty: z.number().int().min(1, 'Return at least one unit of a line.').max(1_000_000),
                disposition: z.enum(ORDER_RETURN_DISPOSITIONS),
              })
              .strict(),
          )
          .min(1, 'Choose at least one line to return.')
          .max(200),
      })
      .strict(),
    response: OrderReturnResultSchema,
  }),
} as const;
