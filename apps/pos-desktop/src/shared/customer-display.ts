import { z } from 'zod';
import type { SaleView } from './commands';

/**
 * What a customer-facing display shows for one register: the lines, the total, what is paid, and the
 * change once the sale completes. It carries nothing about staff, shifts, customers' accounts or stock:
 * a display credential receives this and nothing else.
 */
const minor = z.number().int().safe();

export const CustomerDisplayStateSchema = z.object({
  registerId: z.string(),
  currency: z.string(),
  locale: z.string(),
  storeName: z.string().nullable(),
  /** idle: no sale (welcome screen); open: items being rung up; completed: paid, change shown. */
  status: z.enum(['idle', 'open', 'completed']),
  lines: z.array(
    z.object({
      lineId: z.string(),
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      /** Pieces, or grams for kg SKUs. */
      qty: minor,
      /** What the customer pays for the line, discounts taken off. */
      amount: minor,
      /** Promotions and discounts on the line, as names the customer can read. */
      savings: z.array(z.object({ label: z.string(), amount: minor })),
    }),
  ),
  total: minor,
  paid: minor,
  remaining: minor,
  change: minor,
  /** The total discount, shown as "You save". */
  discount: minor,
});
export type CustomerDisplayState = z.infer<typeof CustomerDisplayStateSchema>;

/** The socket event a display receives its state on (`socket.on('display', state => ...)`). */
export const DISPLAY_EVENT = 'display';

export interface DisplayContext {
  readonly registerId: string;
  readonly currency: string;
  readonly locale: string;
  readonly storeName: string | null;
}

/** The display state for a register's sale (or none). Parked and voided sales leave the display idle. */
export function customerDisplayState(sale: SaleView | null, context: DisplayContext): CustomerDisplayState {
  const base = {
    registerId: context.registerId,
    currency: context.currency,
    locale: context.locale,
    storeName: context.storeName,
  };
  if (sale === null || (sale.status !== 'open' && sale.status !== 'completed')) {
    return { ...base, status: 'idle', lines: [], total: 0, paid: 0, remaining: 0, change: 0, discount: 0 };
  }
  const paid = sale.tenders.reduce((total, tender) => total + tender.amount, 0);
  return {
    ...base,
    currency: sale.currency,
    status: sale.status,
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      amount: line.paid,
      savings: line.adjustments
        .filter((adjustment) => adjustment.amount !== 0)
        // A manual discount's reason is the cashier's note; the customer sees "Discount".
        .map((adjustment) => ({
          label: adjustment.kind === 'promotion' ? adjustment.reason : 'Discount',
          amount: adjustment.amount,
        })),
    })),
    total: sale.totals.total,
    paid,
    remaining: sale.payment.remaining,
    change: sale.payment.change,
    discount: sale.totals.discount,
  };
}
