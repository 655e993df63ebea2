import { z } from 'zod';
import {
  BOPIS_STATUSES,
  BopisOrderSchema,
  BopisOrderStateSchema,
  DomainError,
  ShipmentSchema,
  RoutingResultSchema,
  orderHead,
  type BopisOrderState,
  type RoutingResult,
} from '@retail/domain';
import { ReservationSchema, toReservation } from '../inventory/reservations';
import type { Executor } from '../storage/storage';
import type {
  BopisNotificationTable,
  BopisOrderTable,
  BopisOrderTimelineTable,
  BopisRefundTable,
  ReservationTable,
} from '../storage/schema';
import { NotificationViewSchema, toNotificationView } from './notification-outbox';

/** An order as the hub keeps it: the domain state plus what the hub tracks around it. */
export interface StoredOrder {
  readonly row: BopisOrderTable;
  readonly state: BopisOrderState;
  readonly routing: RoutingResult | null;
  /** Nodes whose feed has carried the order: every later change goes to them too. */
  readonly audience: readonly string[];
  /** The highest timeline seq written so far. */
  readonly timelineSeq: number;
}

export const TIMELINE_KINDS = [
  'placed',
  'routed',
  'routing_failed',
  'transition',
  'superseded',
  'conflict',
  'store_task',
  'payment',
  'notification',
  'refund',
  'oversell',
  'pick_shortage',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineDraft {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly actor: string;
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

export function parseStoredState(row: { order_id: string; state: string }): BopisOrderState {
  const parsed = BopisOrderStateSchema.safeParse(JSON.parse(row.state));
  if (!parsed.success) {
    // Written only by this module after validation: a failure here is corruption, not user input.
    throw new DomainError(
      'INTERNAL',
      'hub.orders.storedStateOrderUnreadable',
      { order_id: row.order_id },
      {
        orderId: row.order_id,
      },
    );
  }
  return parsed.data;
}

/** Loads an order; with `lock`, the row stays locked (PostgreSQL FOR UPDATE) until the transaction ends. */
export async function loadOrder(
  executor: Executor,
  orderId: string,
  options: { lock: boolean; postgres: boolean },
): Promise<StoredOrder | undefined> {
  const row = await executor
    .selectFrom('bopis_orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .$if(options.lock && options.postgres, (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const last = await executor
    .selectFrom('bopis_order_timeline')
    .select((eb) => eb.fn.max<number>('seq').as('seq'))
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return { ...storedParts(row), timelineSeq: Number(last?.seq ?? 0) };
}

function storedParts(row: BopisOrderTable): Omit<StoredOrder, 'timelineSeq'> {
  return {
    row,
    state: parseStoredState(row),
    routing: row.routing === null ? null : RoutingResultSchema.parse(JSON.parse(row.routing)),
    audience: JSON.parse(row.audience) as string[],
  };
}

export async function requireOrder(
  executor: Executor,
  orderId: string,
  options: { lock: boolean; postgres: boolean },
): Promise<StoredOrder> {
  const stored = await loadOrder(executor, orderId, options);
  if (stored === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.orders.noOrder', { orderId }, { orderId });
  }
  return stored;
}

export const TimelineEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  kind: z.enum(TIMELINE_KINDS),
  actor: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const RefundViewSchema = z.object({
  refundId: z.string(),
  reason: z.string(),
  authorisationRef: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(['pending', 'review']),
  message: z.string(),
  exceptionId: z.string().nullable(),
  createdAt: z.number().int(),
});

const epochMs = z.number().int();

/** What GET /api/orders/:orderId answers: the order, where it is, why, and everything that happened. */
export const OrderViewSchema = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  status: z.enum(BOPIS_STATUSES),
  version: z.number().int(),
  /** The last accepted transition: what a store step or an HQ change is based on. */
  head: z.object({ version: z.number().int(), transitionId: z.string() }),
  nodeId: z.string().nullable(),
  pickupCode: z.string(),
  paymentStatus: z.enum(['authorised', 'captured', 'voided']),
  fulfilment: z.enum(['pickup', 'ship']),
  /** Ship orders once packed: parcels, what they hold, carrier and tracking once shipped. */
  shipment: ShipmentSchema.nullable(),
  order: BopisOrderSchema,
  reservation: z.object({ nodeId: z.string(), status: z.string() }).nullable(),
  progress: z.array(z.object({ lineId: z.string(), pickedQty: z.number().int(), shortPicked: z.boolean() })),
  excludedNodeIds: z.array(z.string()),
  routingAttempts: z.number().int(),
  readyAt: epochMs.nullable(),
  pickupDeadline: epochMs.nullable(),
  expiresAt: epochMs.nullable(),
  closedAt: epochMs.nullable(),
  cancelReason: z.string().nullable(),
  /** The latest routing decision with every candidate's explanation (why it was or was not chosen). */
  routing: RoutingResultSchema.nullable(),
  timeline: z.array(TimelineEntrySchema),
  reservations: z.array(ReservationSchema),
  notifications: z.array(NotificationViewSchema),
  refunds: z.array(RefundViewSchema),
  createdBy: z.string(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type OrderView = z.infer<typeof OrderViewSchema>;

export const OrderSummarySchema = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  status: z.enum(BOPIS_STATUSES),
  version: z.number().int(),
  nodeId: z.string().nullable(),
  priority: z.number().int(),
  customerName: z.string(),
  lines: z.number().int(),
  units: z.number().int(),
  paymentStatus: z.enum(['authorised', 'captured', 'voided']),
  expiresAt: epochMs.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

function summaryOf(row: BopisOrderTable, state: BopisOrderState): OrderSummary {
  return {
    orderId: row.order_id,
    orderNumber: state.order.orderNumber,
    status: state.status,
    version: state.version,
    nodeId: state.nodeId ?? null,
    priority: row.priority,
    customerName: state.order.customer.name,
    lines: state.order.lines.length,
    units: state.order.lines.reduce((total, line) => total + line.qty, 0),
    paymentStatus: row.payment_status,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function readOrderView(executor: Executor, orderId: string): Promise<OrderView> {
  // The view reads the whole timeline anyway, so the order row is read without loadOrder's max(seq).
  const found = await executor
    .selectFrom('bopis_orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (found === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.orders.noOrder', { orderId }, { orderId });
  }
  const [timeline, reservations, notifications, refunds] = await Promise.all([
    executor
      .selectFrom('bopis_order_timeline')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute(),
    executor
      .selectFrom('bopis_reservations')
      .innerJoin('reservations', 'reservations.reservation_id', 'bopis_reservations.reservation_id')
      .selectAll('reservations')
      .where('bopis_reservations.order_id', '=', orderId)
      .orderBy('reservations.created_at')
      .orderBy('reservations.reservation_id')
      .execute(),
    executor
      .selectFrom('bopis_notifications')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .orderBy('notification_id')
      .execute(),
    executor
      .selectFrom('bopis_refunds')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute(),
  ]);
  return orderViewOf(found, { timeline, reservations, notifications, refunds });
}

/** The rows an order view is made of, each list in the order the view shows it. */
export interface OrderViewRows {
  readonly timeline: readonly BopisOrderTimelineTable[];
  readonly reservations: readonly ReservationTable[];
  readonly notifications: readonly BopisNotificationTable[];
  readonly refunds: readonly BopisRefundTable[];
}

/**
 * The view of an order from its rows: those read back (readOrderView), or those a transaction placing
 * the order has just written (the intake answers with them instead of reading them back). `written`: the
 * state and routing `found` was serialised from, when the caller holds them (a new order's change): the
 * view takes them as they are instead of parsing their JSON back.
 */
export function orderViewOf(
  found: BopisOrderTable,
  rows: OrderViewRows,
  written?: Pick<StoredOrder, 'state' | 'routing'>,
): OrderView {
  const stored = written ?? storedParts(found);
  const row = found;
  const { state } = stored;
  return {
    orderId: row.order_id,
    orderNumber: state.order.orderNumber,
    status: state.status,
    version: state.version,
    head: orderHead(state),
    nodeId: state.nodeId ?? null,
    pickupCode: state.pickupCode,
    paymentStatus: row.payment_status,
    fulfilment: state.order.fulfilment.type,
    shipment: state.shipment ?? null,
    order: state.order,
    reservation: state.reservation ?? null,
    progress: state.progress,
    excludedNodeIds: state.excludedNodeIds,
    routingAttempts: state.routingAttempts,
    readyAt: state.readyAt ?? null,
    pickupDeadline: state.pickupDeadline ?? null,
    expiresAt: state.expiresAt ?? null,
    closedAt: state.closedAt ?? null,
    cancelReason: state.cancelReason ?? null,
    routing: stored.routing,
    timeline: rows.timeline.map((entry) => ({
      seq: Number(entry.seq),
      at: Number(entry.at),
      kind: entry.kind as TimelineKind,
      actor: entry.actor,
      message: entry.message,
      data: JSON.parse(entry.data) as Record<string, unknown>,
    })),
    reservations: rows.reservations.map(toReservation),
    notifications: rows.notifications.map(toNotificationView),
    refunds: rows.refunds.map((refund) => ({
      refundId: refund.refund_id,
      reason: refund.reason,
      authorisationRef: refund.authorisation_ref,
      amount: Number(refund.amount),
      currency: refund.currency,
      status: refund.status,
      message: refund.message,
      exceptionId: refund.exception_id,
      createdAt: Number(refund.created_at),
    })),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export const OrderFilterSchema = z.object({
  status: z.enum(BOPIS_STATUSES).optional(),
  nodeId: z.string().min(1).max(100).optional(),
  /** Exclusive: the last orderId of the previous page (order ids sort by creation for UUIDv7 callers). */
  before: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type OrderFilter = z.infer<typeof OrderFilterSchema>;

/** Newest first. */
export async function listOrders(executor: Executor, filter: OrderFilter): Promise<OrderSummary[]> {
  let query = executor.selectFrom('bopis_orders').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  if (filter.before !== undefined) {
    const before = await executor
      .selectFrom('bopis_orders')
      .select(['created_at', 'order_id'])
      .where('order_id', '=', filter.before)
      .executeTakeFirst();
    if (before !== undefined) {
      const createdAt = Number(before.created_at);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('order_id', '<', before.order_id)]),
        ]),
      );
    }
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('order_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map((row) => summaryOf(row, parseStoredState(row)));
}
