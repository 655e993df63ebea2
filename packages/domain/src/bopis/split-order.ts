import { invalid } from '../errors';
import { allocate, money } from '../money';
import type { RoutingAllocation } from '../routing/route-order';
import type { BopisOrder } from './order';

/**
 * A split order becomes one BOPIS order per part (issue 18): each part is picked, re-routed and expires on
 * its own, so a part a store cannot fill is moved alone while the others go on. The customer still has
 * one order: the parts keep its order number and payment authorisation, and the hub links them.
 */

export interface SplitOrderPart {
  readonly partNo: number;
  readonly nodeId: string;
  readonly order: BopisOrder;
}

const MAX_ORDER_ID = 100;

/** `W-1.2` for part 2 of order `W-1`: unique while the customer order id is, readable at the till. */
export function partOrderId(orderId: string, partNo: number): string {
  return `${orderId}.${partNo}`;
}

/**
 * The parts of `order` for a split decision's allocations. A part's share of the authorised amount is
 * allocated by units (largest remainder, so the shares add up to the authorisation exactly), since
 * intake lines carry no prices; capture follows each part's hand-over. Parts never split again.
 */
export function splitOrderParts(
  order: BopisOrder,
  allocations: readonly RoutingAllocation[],
): SplitOrderPart[] {
  if (allocations.length < 2) {
    throw invalid(
      'bopis.splitOrderNeedsLeast',
      { orderNumber: order.orderNumber },
      {
        orderId: order.orderId,
      },
    );
  }
  const longest = partOrderId(order.orderId, allocations.length);
  if (longest.length > MAX_ORDER_ID) {
    throw invalid(
      'bopis.orderIdTooLong',
      { orderId: order.orderId, MAX_ORDER_ID: MAX_ORDER_ID - 1 - String(allocations.length).length },
      { orderId: order.orderId },
    );
  }
  const ordered = new Map(order.lines.map((line) => [line.lineId, line]));
  const given = new Map<string, number>();
  for (const allocation of allocations) {
    for (const line of allocation.lines) {
      const original = ordered.get(line.lineId);
      if (original === undefined || original.sku !== line.sku) {
        throw invalid(
          'bopis.splitOrderNamesLine',
          { orderNumber: order.orderNumber, lineId: line.lineId },
          {
            orderId: order.orderId,
            lineId: line.lineId,
          },
        );
      }
      given.set(line.lineId, (given.get(line.lineId) ?? 0) + line.qty);
    }
  }
  const mismatched = order.lines.filter((line) => given.get(line.lineId) !== line.qty);
  if (mismatched.length > 0) {
    throw invalid(
      'bopis.splitOrderNotAdd',
      { orderNumber: order.orderNumber, value: mismatched.map((line) => line.lineId).join(', ') },
      { orderId: order.orderId },
    );
  }
  const partIds = allocations.map((_, index) => partOrderId(order.orderId, index + 1));
  const units = allocations.map((allocation) =>
    allocation.lines.reduce((total, line) => total + line.qty, 0),
  );
  const shares = allocate(money(order.payment.amount, order.payment.currency), units, partIds);
  return allocations.map((allocation, index) => ({
    partNo: index + 1,
    nodeId: allocation.nodeId,
    order: {
      ...order,
      orderId: partIds[index] as string,
      lines: allocation.lines.map((line) => ({
        ...(ordered.get(line.lineId) as BopisOrder['lines'][number]),
        qty: line.qty,
      })),
      splitConsent: false,
      payment: { ...order.payment, amount: (shares[index] as { amount: number }).amount },
    },
  }));
}
