import type { BopisLogEntry, BopisOrderState } from '@retail/domain';
import type { EventData, IntegrationEventType } from './event-catalog';
import { builtDraft, type EventDraft } from './outbound-log';

/** The catalog event a logged order step is, if it is one integrations hear about. */
function typesOf(entry: BopisLogEntry, routedBefore: boolean): IntegrationEventType[] {
  if (entry.action === 'place') return ['order.placed'];
  if (entry.action === 'route' && entry.to === 'ROUTED')
    return [routedBefore ? 'order.rerouted' : 'order.allocated'];
  switch (entry.to) {
    case 'ACCEPTED':
      return ['order.accepted'];
    case 'READY_FOR_PICKUP':
      return ['order.picked', 'order.ready'];
    case 'SHORT_PICK':
      return ['order.short_picked'];
    case 'PICKED_UP':
      return ['order.handed_over'];
    case 'PACKED':
      return ['order.picked'];
    case 'SHIPPED':
      return ['order.shipped'];
    case 'EXPIRED':
      return ['order.expired'];
    case 'CANCELLED':
      return ['order.cancelled'];
    default:
      return [];
  }
}

/**
 * One event per order step taken in a change (the log entries past the stored version), each keyed by the
 * order and the step's version so the same step never becomes two events.
 */
export function orderEventDrafts(before: BopisOrderState | undefined, after: BopisOrderState): EventDraft[] {
  const known = before?.version ?? 0;
  const drafts: EventDraft[] = [];
  after.log.forEach((entry, index) => {
    if (entry.version <= known) return;
    const routedBefore = after.log.slice(0, index).some((earlier) => earlier.action === 'route');
    for (const type of typesOf(entry, routedBefore)) {
      // Built from the order's state (validated when placed or read) in OrderData's key order.
      drafts.push(
        builtDraft({
          type,
          key: `${after.order.orderId}:${entry.version}`,
          aggregateId: after.order.orderId,
          nodeId: after.nodeId ?? null,
          occurredAt: entry.at,
          data: orderData(after, entry, before?.nodeId),
        }),
      );
    }
  });
  return drafts;
}

function orderData(
  state: BopisOrderState,
  entry: BopisLogEntry,
  previousNodeId: string | undefined,
): EventData<'order.placed'> {
  const order = state.order;
  return {
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    channel: order.channel,
    status: entry.to,
    version: entry.version,
    nodeId: state.nodeId ?? null,
    previousNodeId: previousNodeId !== undefined && previousNodeId !== state.nodeId ? previousNodeId : null,
    lines: order.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      pickedQty: state.progress[index]?.pickedQty ?? null,
    })),
    payment: {
      authorisationRef: order.payment.authorisationRef,
      amount: order.payment.amount,
      currency: order.payment.currency,
    },
    cancelReason: state.cancelReason ?? null,
    at: new Date(entry.at).toISOString(),
  };
}
