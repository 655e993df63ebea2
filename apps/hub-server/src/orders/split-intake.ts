import { z } from 'zod';
import {
  BopisOrderSchema,
  DomainError,
  RoutingResultSchema,
  orderHead,
  placeBopisOrder,
  placeParsedBopisOrder,
  splitOrderParts,
  type BopisOrder,
  type ParsedBopisOrder,
  type RoutingAllocation,
  type RoutingResult,
} from '@retail/domain';
import type { HubTx } from '../hub-tx';
import type { Executor } from '../storage/storage';
import { NewOrderWrites, OrderChange } from './order-change';
import { OrderViewSchema, readOrderView, type OrderView } from './order-records';
import type { CustomerOrderTable } from '../storage/schema';

/**
 * A split order at the hub (issue 18 item 2): one customer order, several parts, each part an ordinary
 * BOPIS order routed to its node. Written in the intake's transaction, so the customer order and every
 * part's promise appear together or not at all.
 */

export interface SplitPlacement {
  /** As the intake parsed it: its parts are built from it (splitOrderParts). */
  readonly order: ParsedBopisOrder;
  readonly routing: RoutingResult;
  readonly allocations: readonly RoutingAllocation[];
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly actor: string;
  /** `count` fresh pickup codes, one per part: each part is collected (and looked up at the till) on its own. */
  readonly pickupCodes: (count: number) => Promise<string[]>;
}

/**
 * Places a part as splitOrderParts built it from the parsed order, without parsing it again (order storm
 * round 13: the parse was most of what a split's parts cost the hub): its fields are the parse's output
 * (the id `<order id>.<part>`, whose length splitOrderParts checks; the order's own lines with the router's
 * quantities; the payment's share from `allocate`; `splitConsent` false). A line quantity that is not a
 * whole number of units from 1 to the ordered one (not something the router gives) is parsed, and
 * refused, as before.
 */
function placePart(
  order: ParsedBopisOrder,
  part: ReturnType<typeof splitOrderParts>[number],
  options: Parameters<typeof placeBopisOrder>[1],
): ReturnType<typeof placeBopisOrder> {
  const ordered = new Map(order.lines.map((line) => [line.lineId, line.qty]));
  const asBuilt = part.order.lines.every(
    (line) => Number.isSafeInteger(line.qty) && line.qty >= 1 && line.qty <= (ordered.get(line.lineId) ?? 0),
  );
  return asBuilt
    ? placeParsedBopisOrder(part.order as ParsedBopisOrder, options)
    : placeBopisOrder(part.order, options);
}

/**
 * Writes the split order and answers its view from what it wrote (the view readCustomerOrderView gives
 * once it has committed), or undefined when a part's rows are not all known here.
 */
export async function placeSplitOrder(
  tx: HubTx,
  placement: SplitPlacement,
): Promise<CustomerOrderView | undefined> {
  const { order, routing, actor } = placement;
  const parts = splitOrderParts(order, placement.allocations);
  const customerOrder: CustomerOrderTable = {
    order_id: order.orderId,
    order_number: order.orderNumber,
    channel: order.channel,
    order_body: JSON.stringify(order),
    routing: JSON.stringify(routing),
    idempotency_key: placement.idempotencyKey,
    request_hash: placement.requestHash,
    created_by: actor,
    created_at: tx.at,
  };
  // The customer order and its parts' rows are written together once every part is saved.
  const writes = new NewOrderWrites();
  writes.customerOrders.push(customerOrder);
  writes.customerOrderParts.push(
    ...parts.map((part) => ({
      order_id: order.orderId,
      part_no: part.partNo,
      part_order_id: part.order.orderId,
    })),
  );
  const changes: OrderChange[] = [];
  const summaries = routing.decision.outcome === 'split' ? routing.decision.allocations : [];
  const codes = await placement.pickupCodes(parts.length);
  for (const [index, part] of parts.entries()) {
    const placed = placePart(order, part, {
      transitionId: tx.hub.newId(),
      pickupCode: codes[index]!,
      heldAt: part.nodeId,
    });
    const change = OrderChange.forNew(
      tx,
      placed.state,
      {
        idempotencyKey: null,
        requestHash: placement.requestHash,
        createdBy: actor,
        createdAt: tx.at,
      },
      writes,
    );
    await change.applyPlacementEffects(placed.effects, actor);
    change.note(
      'placed',
      actor,
      `Part ${part.partNo} of ${parts.length} of order ${order.orderNumber} placed (${order.channel}).`,
      {
        customerOrderId: order.orderId,
        partNo: part.partNo,
        parts: parts.length,
        lines: part.order.lines.length,
        priority: order.priority,
        pickup: order.pickup,
        why: summaries[part.partNo - 1]?.summary,
      },
    );
    change.setRouting(routing);
    await change.apply(
      {
        transitionId: tx.hub.newId(),
        basedOn: orderHead(placed.state),
        at: tx.at,
        actor: { kind: 'hub' },
        action: 'route',
        nodeId: part.nodeId,
      },
      'hub',
    );
    await change.save();
    changes.push(change);
  }
  await writes.flush(tx);
  const shipments: (OrderView & { partNo: number })[] = [];
  for (const [index, change] of changes.entries()) {
    const view = change.placedView();
    if (view === undefined) return undefined;
    shipments.push({ ...view, partNo: parts[index]!.partNo });
  }
  return customerOrderViewOf(customerOrder, shipments, { order, routing });
}

/** What the customer (and e-commerce) sees of a split order: one order, one shipment per part. */
export const CustomerOrderViewSchema = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  /** Always true here; a whole order answers the plain order view. */
  split: z.literal(true),
  order: BopisOrderSchema,
  /** The split decision with every part and every candidate explained. */
  routing: RoutingResultSchema,
  shipments: z.array(OrderViewSchema.extend({ partNo: z.number().int().min(1) })),
  createdBy: z.string(),
  createdAt: z.number().int(),
});
export type CustomerOrderView = z.infer<typeof CustomerOrderViewSchema>;

export async function readCustomerOrderView(
  executor: Executor,
  orderId: string,
): Promise<CustomerOrderView | undefined> {
  const row = await executor
    .selectFrom('customer_orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const parts = await executor
    .selectFrom('customer_order_parts')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('part_no')
    .execute();
  const shipments = [];
  for (const part of parts) {
    shipments.push({ ...(await readOrderView(executor, part.part_order_id)), partNo: Number(part.part_no) });
  }
  return customerOrderViewOf(row, shipments);
}

/**
 * The customer order's view from its row and its parts' views (in part order). `written`: the order and
 * routing the row was serialised from, when the caller holds them (placeSplitOrder): taken as they are
 * instead of parsing their JSON back.
 */
function customerOrderViewOf(
  row: CustomerOrderTable,
  shipments: (OrderView & { partNo: number })[],
  written?: { readonly order: BopisOrder; readonly routing: RoutingResult },
): CustomerOrderView {
  const { order, routing } = written ?? storedCustomerOrder(row);
  return {
    orderId: row.order_id,
    orderNumber: row.order_number,
    split: true,
    order,
    routing,
    shipments,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

/** A customer order's body and routing as stored. */
function storedCustomerOrder(row: CustomerOrderTable): { order: BopisOrder; routing: RoutingResult } {
  const orderId = row.order_id;
  const order = BopisOrderSchema.safeParse(JSON.parse(row.order_body));
  const routing = RoutingResultSchema.safeParse(JSON.parse(row.routing));
  if (!order.success || !routing.success) {
    // Written only by placeSplitOrder after validation: a failure here is corruption, not user input.
    throw new DomainError('INTERNAL', 'hub.orders.storedSplitOrderUnreadable', { orderId }, { orderId });
  }
  return { order: order.data, routing: routing.data };
}
