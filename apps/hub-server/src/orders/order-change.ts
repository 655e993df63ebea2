import {
  DomainError,
  applyBopisTransition,
  demandBySku,
  describeBopisAction,
  nodeAtp,
  routeValidOrder,
  routingRequestFor,
  type BopisEffects,
  type BopisNotification,
  type BopisOrderState,
  type BopisTransitionInput,
  type BopisTransitionOutcome,
  type PickupDeadlinePolicy,
  type RoutingAllocation,
  type RoutingRequest,
  type RoutingResult,
} from '@retail/domain';
import { builtFeedChange } from '../feed/feed-store';
import type { HubTx } from '../hub-tx';
import { orderEventDrafts } from '../integration/order-event-drafts';
import {
  BOPIS_ORDER_REF_PREFIX,
  PendingReservations,
  applyTransition,
  insertReservation,
  releaseExpiredAt,
} from '../inventory/reservations';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { jsonInserts } from '../storage/json-rows';
import { RetryTransaction } from '../storage/storage';
import type {
  BopisNotificationTable,
  BopisOrderTable,
  BopisOrderTimelineTable,
  BopisReservationTable,
  CustomerOrderPartTable,
  CustomerOrderTable,
  ReservationTable,
} from '../storage/schema';
import { enqueueNotification } from './notification-outbox';
import { orderViewOf, type OrderView, type StoredOrder, type TimelineDraft } from './order-records';
import { loadCandidates, type CandidatesRead } from './routing-candidates';
import { settleOrderPayment } from '../payments/order-payments';

/** How the hub runs BOPIS; the CLI and tests set these, the defaults suit a store chain. */
export interface BopisSettings {
  /** Tills silent this long make their node offline for routing (see routing-candidates.ts). */
  readonly offlineAfterMs: number;
  /** The pickup deadline policy of orders whose intake body does not carry one. */
  readonly pickupPolicy: PickupDeadlinePolicy;
}

export const DEFAULT_BOPIS_SETTINGS: BopisSettings = {
  offlineAfterMs: 5 * 60_000,
  pickupPolicy: { holdHours: 72, graceMinutes: 60 },
};

export type PaymentStatus = BopisOrderTable['payment_status'];

export function orderRef(orderId: string, lineId: string): string {
  return `${BOPIS_ORDER_REF_PREFIX}${orderId}/${lineId}`;
}

interface OrderRowMeta {
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

interface QueuedNotification {
  readonly kind: BopisNotification;
  readonly state: BopisOrderState;
}

const insertCustomerOrders = compiledInsert('customer_orders');
const insertCustomerOrderParts = compiledInsert('customer_order_parts');
const insertOrderRows = compiledInsert('bopis_orders');
const insertTimelineRows = compiledInsert('bopis_order_timeline');
const insertReservationLinks = compiledInsert('bopis_reservations');

/**
 * The rows of orders placed in this transaction (a whole order, or a split with every part): nothing else
 * can see them before it commits, so they are written together at the end, instead of a few statements
 * per line and step: on SQLite by `flush`, one multi-row statement per table; on PostgreSQL by the
 * transaction's finish, with the balances, in one statement (HubTx.writeAtFinish). Nothing in the
 * transaction reads them back: on PostgreSQL they are in the database only once it finishes.
 */
export class NewOrderWrites {
  /** A split order's customer order and its parts (placeSplitOrder). */
  readonly customerOrders: CustomerOrderTable[] = [];
  readonly customerOrderParts: CustomerOrderPartTable[] = [];
  readonly reservations = new PendingReservations();
  readonly orders: BopisOrderTable[] = [];
  readonly timeline: BopisOrderTimelineTable[] = [];
  readonly links: BopisReservationTable[] = [];

  async flush(tx: HubTx): Promise<void> {
    // PostgreSQL: each table's rows as one JSON parameter, all sent by the transaction's finish with a
    // statement it sends anyway (a round trip per table was a third of a whole order's statements, all
    // sent while its balances are locked). Nothing reads them back before the transaction finishes.
    const writes =
      tx.hub.storage.kind === 'postgres'
        ? jsonInserts([
            { table: 'customer_orders', rows: this.customerOrders },
            { table: 'customer_order_parts', rows: this.customerOrderParts },
            { table: 'bopis_orders', rows: this.orders },
            { table: 'bopis_order_timeline', rows: this.timeline },
            { table: 'reservations', rows: [...this.reservations.rows.values()] },
            { table: 'reservation_history', rows: this.reservations.history },
            { table: 'bopis_reservations', rows: this.links },
          ])
        : undefined;
    if (writes !== undefined) {
      tx.writeAtFinish(writes);
      this.reservations.rows.clear();
      this.reservations.history.length = 0;
    } else {
      for (const chunk of chunks(this.customerOrders, 200)) await insertCustomerOrders(tx.trx, chunk);
      for (const chunk of chunks(this.customerOrderParts, 500)) await insertCustomerOrderParts(tx.trx, chunk);
      for (const chunk of chunks(this.orders, 200)) await insertOrderRows(tx.trx, chunk);
      for (const chunk of chunks(this.timeline, 500)) await insertTimelineRows(tx.trx, chunk);
      await this.reservations.flush(tx);
      for (const chunk of chunks(this.links, 500)) await insertReservationLinks(tx.trx, chunk);
    }
    this.customerOrders.length = 0;
    this.customerOrderParts.length = 0;
    this.orders.length = 0;
    this.timeline.length = 0;
    this.links.length = 0;
  }
}

/**
 * One change to one order inside a hub transaction: domain transitions applied to the state with all
 * their effects (reservations moved under the balance locks, store tasks, discrepancies, payment,
 * customer notifications), timeline entries, and finally one save that writes the order row, the
 * timeline, the notifications and a feed row for every store that needs to know.
 *
 * Ledger movements are never written here: for a BOPIS order, every physical move (PICK on ready,
 * PICKUP_HANDOVER, UNSTAGE after a cancel) is made by a store and arrives with the store's own event.
 */
export class OrderChange {
  private current: BopisOrderState;
  private readonly drafts: TimelineDraft[] = [];
  private readonly audience: Set<string>;
  private readonly notifications: QueuedNotification[] = [];
  private payment: PaymentStatus;
  private routingResult: RoutingResult | null;
  private changed = false;
  /**
   * The reservations of an order placed in this transaction, by id with their line, as written: they are
   * all made here (nothing else knows the order before it commits), so moving them needs no read back.
   * Undefined for a stored order, whose reservations are read.
   */
  private readonly ownReservations: Map<string, { lineId: string; row: ReservationTable }> | undefined;
  /** A new order's rows, written at `save` (or, when the caller shares them between orders, by it). */
  private readonly writes: NewOrderWrites | undefined;
  private readonly ownsWrites: boolean;
  /** A new order's rows as `save` wrote them (see placedView). */
  private placed:
    | {
        row: BopisOrderTable;
        timeline: BopisOrderTimelineTable[];
        /** What `row.state` and `row.routing` were serialised from. */
        written: Pick<StoredOrder, 'state' | 'routing'>;
      }
    | undefined;
  private readonly notified: BopisNotificationTable[] = [];
  private refunded = false;

  private constructor(
    readonly tx: HubTx,
    state: BopisOrderState,
    private readonly stored: StoredOrder | undefined,
    private readonly meta: OrderRowMeta,
    writes?: NewOrderWrites,
  ) {
    this.current = state;
    this.audience = new Set(stored?.audience ?? []);
    this.payment = stored?.row.payment_status ?? 'authorised';
    this.routingResult = stored?.routing ?? null;
    this.ownReservations = stored === undefined ? new Map() : undefined;
    this.ownsWrites = stored === undefined && writes === undefined;
    this.writes = stored === undefined ? (writes ?? new NewOrderWrites()) : undefined;
  }

  /**
   * A change placing a new order. `writes`: rows shared with other orders placed in the transaction (the
   * parts of a split), which the caller flushes once they are all saved; without it `save` writes them.
   */
  static forNew(tx: HubTx, state: BopisOrderState, meta: OrderRowMeta, writes?: NewOrderWrites): OrderChange {
    const change = new OrderChange(tx, state, undefined, meta, writes);
    change.changed = true;
    return change;
  }

  static forStored(tx: HubTx, stored: StoredOrder): OrderChange {
    return new OrderChange(tx, stored.state, stored, {
      idempotencyKey: stored.row.idempotency_key,
      requestHash: stored.row.request_hash,
      createdBy: stored.row.created_by,
      createdAt: Number(stored.row.created_at),
    });
  }

  get state(): BopisOrderState {
    return this.current;
  }

  get orderId(): string {
    return this.current.order.orderId;
  }

  note(
    kind: TimelineDraft['kind'],
    actor: string,
    message: string,
    data: Record<string, unknown> = {},
  ): void {
    this.drafts.push({ at: this.tx.at, kind, actor, message, data });
    this.changed = true;
  }

  setRouting(routing: RoutingResult): void {
    this.routingResult = routing;
    this.changed = true;
  }

  /** A store that must hear about this order from now on (it holds stock, picks it, or must drop it). */
  tell(nodeId: string): void {
    this.audience.add(nodeId);
  }

  /**
   * Applies one transition with its effects. Domain refusals (NOT_ALLOWED, FORBIDDEN, CONFLICT, ...)
   * propagate before anything is written for this step.
   */
  async apply(input: BopisTransitionInput, actor: string): Promise<BopisTransitionOutcome> {
    const before = this.current;
    const outcome = applyBopisTransition(before, input);
    if (outcome.kind === 'replayed') return outcome;
    this.noteOutcome(before, input, outcome, actor);
    await this.applyEffects(before, outcome.effects, actor);
    this.current = outcome.state;
    // The customer hears about the order as this step left it (a later step in the same change may move on).
    if (outcome.effects.notification !== undefined) {
      this.notifications.push({ kind: outcome.effects.notification, state: outcome.state });
    }
    if (outcome.state.nodeId !== undefined) this.tell(outcome.state.nodeId);
    return outcome;
  }

  private noteOutcome(
    before: BopisOrderState,
    input: BopisTransitionInput,
    outcome: Exclude<BopisTransitionOutcome, { kind: 'replayed' }>,
    actor: string,
  ): void {
    const head = outcome.state.log[outcome.state.log.length - 1];
    switch (outcome.kind) {
      case 'applied':
        this.note(
          head?.action === 'route' ? 'routed' : 'transition',
          actor,
          head?.detail ?? `Order ${before.order.orderNumber} ${describeBopisAction(input.action)}.`,
          {
            action: input.action,
            from: before.status,
            to: outcome.state.status,
            version: outcome.state.version,
            transitionId: input.transitionId,
          },
        );
        break;
      case 'superseded':
        this.note('superseded', actor, outcome.reason, {
          action: input.action,
          transitionId: input.transitionId,
        });
        break;
      case 'conflict_resolved':
        this.note('conflict', actor, outcome.conflict.message, { conflict: outcome.conflict });
        break;
      default:
        break;
    }
  }

  /** Effects of placing an order (a HELD reservation at the node routing chose). */
  async applyPlacementEffects(effects: BopisEffects, actor: string): Promise<void> {
    await this.applyEffects(this.current, effects, actor);
  }

  private async applyEffects(before: BopisOrderState, effects: BopisEffects, actor: string): Promise<void> {
    const order = before.order;
    const reason = `order ${order.orderNumber}`;
    const created = new Map<string, string>();
    const reassigned: { reservationId: string; lineId: string }[] = [];
    for (const effect of effects.reservations) {
      const skus = [...new Set(effect.lines.map((line) => line.sku))];
      await this.tx.ledger.lockBalances(skus.map((sku) => ({ nodeId: effect.nodeId, sku })));
      if (effect.action === 'create') {
        if (effect.to !== 'HELD' && effect.to !== 'ACTIVE') {
          throw new DomainError('INTERNAL', 'hub.orders.reservationCannotCreated', { to: effect.to });
        }
        for (const sku of skus) await releaseExpiredAt(this.tx, effect.nodeId, sku);
        for (const line of effect.lines) {
          const row = await insertReservation(
            this.tx,
            {
              nodeId: effect.nodeId,
              sku: line.sku,
              qty: line.qty,
              orderRef: orderRef(order.orderId, line.lineId),
              priority: order.priority,
              status: effect.to,
              backorder: false,
            },
            actor,
            `${reason}: ${effect.to === 'HELD' ? 'held at placement' : 'promised at routing'}`,
            this.writes?.reservations,
          );
          const link = {
            reservation_id: row.reservation_id,
            order_id: order.orderId,
            line_id: line.lineId,
            node_id: effect.nodeId,
            created_at: this.tx.at,
          };
          if (this.writes !== undefined) this.writes.links.push(link);
          else await this.tx.trx.insertInto('bopis_reservations').values(link).execute();
          created.set(line.lineId, row.reservation_id);
          this.ownReservations?.set(row.reservation_id, { lineId: line.lineId, row });
        }
        this.tell(effect.nodeId);
        continue;
      }
      const from = effect.from;
      if (from === undefined) throw new DomainError('INTERNAL', 'hub.orders.reservationMoveNamesStatus');
      const rows = await this.reservationsAt(effect.nodeId, from);
      for (const line of effect.lines) {
        const row = rows.get(line.lineId);
        if (row === undefined) {
          throw new DomainError(
            'INTERNAL',
            'hub.orders.orderNoReservationLine',
            { orderNumber: order.orderNumber, from, lineId: line.lineId, nodeId: effect.nodeId },
            { orderId: order.orderId, lineId: line.lineId, nodeId: effect.nodeId, status: from },
          );
        }
        const moved = await applyTransition(
          this.tx,
          row,
          effect.action,
          `${reason}: ${effect.action.replaceAll('_', ' ')}`,
          actor,
          {},
          {
            recordMovements: false,
            ...(this.writes === undefined ? {} : { pending: this.writes.reservations }),
          },
        );
        this.ownReservations?.set(moved.reservation_id, { lineId: line.lineId, row: moved });
        if (effect.action === 'reassign') {
          reassigned.push({ reservationId: moved.reservation_id, lineId: line.lineId });
        }
      }
    }
    // A moved promise points at its successor, as reassignReservation does for single reservations.
    for (const { reservationId, lineId } of reassigned) {
      const replacement = created.get(lineId);
      if (replacement === undefined) continue;
      const pending = this.writes?.reservations.rows.get(reservationId);
      if (pending !== undefined) {
        this.writes!.reservations.rows.set(reservationId, { ...pending, replaced_by: replacement });
      } else {
        await this.tx.trx
          .updateTable('reservations')
          .set({ replaced_by: replacement })
          .where('reservation_id', '=', reservationId)
          .execute();
      }
      const own = this.ownReservations?.get(reservationId);
      if (own !== undefined) own.row = { ...own.row, replaced_by: replacement };
    }
    for (const task of effects.storeTasks) {
      this.tell(task.nodeId);
      this.note('store_task', actor, task.message, {
        task: task.kind,
        nodeId: task.nodeId,
        ...(task.kind === 'unstage' ? { movements: task.movements } : {}),
      });
    }
    if (effects.countDiscrepancies.length > 0) {
      const nodeId = effects.countDiscrepancies[0]!.nodeId;
      const lines = effects.countDiscrepancies.map((entry) => ({
        lineId: entry.lineId,
        sku: entry.sku,
        expectedQty: entry.expectedQty,
        foundQty: entry.foundQty,
      }));
      const message = `Store ${nodeId} found fewer units than ordered for order ${order.orderNumber}: ${lines
        .map((line) => `${line.foundQty} of ${line.expectedQty} × SKU ${line.sku}`)
        .join(', ')}. Count the shelf.`;
      this.note('pick_shortage', actor, message, { nodeId, lines });
      for (const line of lines) {
        this.tx.raise({
          type: 'PICK_SHORTAGE',
          severity: 'warning',
          nodeId,
          sku: line.sku,
          causeEventIds: [],
          details: { orderId: order.orderId, orderNumber: order.orderNumber, ...line, message },
        });
      }
    }
    if (effects.payment !== 'none') {
      this.payment = effects.payment === 'capture' ? 'captured' : 'voided';
      const captureAmount = effects.captureAmount ?? order.payment.amount;
      const amount = `${effects.payment === 'capture' ? captureAmount : order.payment.amount} ${order.payment.currency} (minor units)`;
      this.note(
        'payment',
        actor,
        effects.payment === 'capture'
          ? `Capture authorisation ${order.payment.authorisationRef} for ${amount}: ${
              captureAmount < order.payment.amount
                ? `only what left is charged, the rest of the ${order.payment.amount} authorised is released`
                : 'the customer has the goods'
            }.`
          : `Void authorisation ${order.payment.authorisationRef} for ${amount}: the order will not be collected.`,
        {
          action: effects.payment,
          authorisationRef: order.payment.authorisationRef,
          ...(effects.payment === 'capture' ? { amount: captureAmount } : {}),
        },
      );
      await settleOrderPayment(this.tx, order.orderId, {
        action: effects.payment,
        amount: effects.payment === 'capture' ? captureAmount : 0,
        reason: `${effects.payment} order ${order.orderNumber} (${this.current.status})`,
      });
    }
  }

  /** The order's reservations at a node in one status, by line. */
  private async reservationsAt(nodeId: string, status: string): Promise<Map<string, ReservationTable>> {
    if (this.ownReservations !== undefined) {
      const found = new Map<string, ReservationTable>();
      for (const { lineId, row } of this.ownReservations.values()) {
        if (row.node_id === nodeId && row.status === status) found.set(lineId, row);
      }
      return found;
    }
    const rows = await this.tx.trx
      .selectFrom('bopis_reservations')
      .innerJoin('reservations', 'reservations.reservation_id', 'bopis_reservations.reservation_id')
      .selectAll('reservations')
      .select('bopis_reservations.line_id')
      .where('bopis_reservations.order_id', '=', this.orderId)
      .where('bopis_reservations.node_id', '=', nodeId)
      .where('reservations.status', '=', status)
      .execute();
    return new Map(rows.map(({ line_id, ...row }) => [line_id, row as ReservationTable]));
  }

  async recordRefund(input: {
    reason: string;
    status: 'pending' | 'review';
    message: string;
    exceptionId?: string;
  }): Promise<string> {
    const order = this.current.order;
    const refundId = this.tx.hub.newId();
    await this.tx.trx
      .insertInto('bopis_refunds')
      .values({
        refund_id: refundId,
        order_id: order.orderId,
        reason: input.reason,
        authorisation_ref: order.payment.authorisationRef,
        amount: order.payment.amount,
        currency: order.payment.currency,
        status: input.status,
        message: input.message,
        exception_id: input.exceptionId ?? null,
        created_at: this.tx.at,
      })
      .execute();
    this.note('refund', 'hub', input.message, { refundId, reason: input.reason });
    this.refunded = true;
    this.tx.events.emit({
      type: 'order.refunded',
      key: refundId,
      aggregateId: order.orderId,
      nodeId: this.current.nodeId ?? null,
      occurredAt: this.tx.at,
      data: {
        orderId: order.orderId,
        orderNumber: order.orderNumber,
        refundId,
        reason: input.reason,
        status: input.status,
        amount: order.payment.amount,
        currency: order.payment.currency,
        authorisationRef: order.payment.authorisationRef,
        at: new Date(this.tx.at).toISOString(),
      },
    });
    return refundId;
  }

  /**
   * After `save` of a new order: its view from the rows the transaction wrote, the same view readOrderView
   * gives once it has committed, without reading them back. Undefined when the rows are not all known
   * here (a refund recorded at placement; never the case today) or before `save`.
   */
  placedView(): OrderView | undefined {
    if (this.placed === undefined || this.refunded || this.ownReservations === undefined) return undefined;
    const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return orderViewOf(
      this.placed.row,
      {
        timeline: this.placed.timeline,
        // As readOrderView orders them: by creation (all now), then id.
        reservations: [...this.ownReservations.values()]
          .map((own) => own.row)
          .sort(
            (a, b) => Number(a.created_at) - Number(b.created_at) || byId(a.reservation_id, b.reservation_id),
          ),
        notifications: [...this.notified].sort(
          (a, b) => Number(a.created_at) - Number(b.created_at) || byId(a.notification_id, b.notification_id),
        ),
        refunds: [],
      },
      this.placed.written,
    );
  }

  /** Writes the order, its timeline, queued notifications and the feed rows. Call once, last. */
  async save(): Promise<void> {
    if (!this.changed) return;
    const state = this.current;
    const at = this.tx.at;
    if (state.nodeId !== undefined) this.audience.add(state.nodeId);
    const audience = [...this.audience].sort();
    const values = {
      order_number: state.order.orderNumber,
      status: state.status,
      version: state.version,
      node_id: state.nodeId ?? null,
      priority: state.order.priority,
      pickup_code: state.pickupCode,
      expires_at: state.status === 'READY_FOR_PICKUP' ? (state.expiresAt ?? null) : null,
      state: JSON.stringify(state),
      routing: this.routingResult === null ? null : JSON.stringify(this.routingResult),
      audience: JSON.stringify(audience),
      payment_status: this.payment,
      fulfilment: state.order.fulfilment.type,
      updated_at: at,
    };
    let row: BopisOrderTable | undefined;
    if (this.writes !== undefined) {
      row = {
        order_id: state.order.orderId,
        ...values,
        idempotency_key: this.meta.idempotencyKey,
        request_hash: this.meta.requestHash,
        created_by: this.meta.createdBy,
        created_at: this.meta.createdAt,
      };
      this.writes.orders.push(row);
    } else {
      await this.tx.trx
        .updateTable('bopis_orders')
        .set(values)
        .where('order_id', '=', state.order.orderId)
        .execute();
    }
    let seq = this.stored?.timelineSeq ?? 0;
    const timeline = this.drafts.map((draft) => ({
      order_id: state.order.orderId,
      seq: (seq += 1),
      at: draft.at,
      kind: draft.kind,
      actor: draft.actor,
      message: draft.message,
      data: JSON.stringify(draft.data ?? {}),
    }));
    if (this.writes !== undefined) {
      this.writes.timeline.push(...timeline);
      if (row !== undefined) this.placed = { row, timeline, written: { state, routing: this.routingResult } };
      if (this.ownsWrites) await this.writes.flush(this.tx);
    } else if (timeline.length > 0) {
      await this.tx.trx.insertInto('bopis_order_timeline').values(timeline).execute();
    }
    for (const queued of this.notifications) {
      const notificationId = this.tx.hub.newId();
      const notified = await enqueueNotification(this.tx.trx, {
        notificationId,
        orderId: state.order.orderId,
        kind: queued.kind,
        payload: await notificationPayload(this.tx, notificationId, queued.kind, queued.state),
        at,
      });
      this.notified.push(notified);
    }
    // Every store that ever held, picked or staged the order sees its latest state: the new store gets
    // its task, the old one learns to drop it or put the units back, a cancel reaches the till. A change
    // that only added to the timeline tells nobody anything new.
    const stateChanged = this.stored === undefined || this.stored.row.state !== values.state;
    const newAudience = audience.filter((nodeId) => !(this.stored?.audience ?? []).includes(nodeId));
    for (const nodeId of stateChanged ? audience : newAudience) {
      this.tx.publish(
        builtFeedChange({ entity: 'bopis_order', key: state.order.orderId, scope: nodeId, data: state }),
      );
    }
    for (const draft of orderEventDrafts(this.stored?.state, state)) this.tx.events.emit(draft);
    if (state.status === 'SHORT_PICK') this.tx.requestFollowUp('bopis');
  }
}

async function notificationPayload(
  tx: HubTx,
  notificationId: string,
  kind: BopisNotification,
  state: BopisOrderState,
): Promise<Record<string, unknown>> {
  const node =
    state.nodeId === undefined
      ? undefined
      : await tx.trx
          .selectFrom('nodes')
          .select(['node_id', 'code', 'name', 'latitude', 'longitude'])
          .where('node_id', '=', state.nodeId)
          .executeTakeFirst();
  const order = state.order;
  const closes = kind === 'cancelled' || kind === 'expired';
  return {
    notificationId,
    type: `order.${kind}`,
    occurredAt: new Date(tx.at).toISOString(),
    order: {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      channel: order.channel,
      status: state.status,
      customer: order.customer,
      // The customer shows this code at the counter; it stays the same when the order moves store.
      pickupCode: closes ? null : state.pickupCode,
      pickupDeadline:
        state.pickupDeadline === undefined ? null : new Date(state.pickupDeadline).toISOString(),
      store:
        node === undefined
          ? null
          : {
              nodeId: node.node_id,
              code: node.code,
              name: node.name,
              ...(node.latitude !== null && node.longitude !== null
                ? { latitude: Number(node.latitude), longitude: Number(node.longitude) }
                : {}),
            },
      cancelReason: state.cancelReason ?? null,
      fulfilment: order.fulfilment.type,
      ...(order.fulfilment.type === 'ship' ? { shipTo: order.fulfilment.shipTo } : {}),
      shipment:
        state.shipment === undefined
          ? null
          : {
              carrier: state.shipment.carrier ?? null,
              trackingNumber: state.shipment.trackingNumber ?? null,
              parcels: state.shipment.parcels.length,
              lines: state.shipment.lines,
              shippedAt:
                state.shipment.shippedAt === undefined
                  ? null
                  : new Date(state.shipment.shippedAt).toISOString(),
            },
      payment: closes
        ? {
            action: 'void',
            authorisationRef: order.payment.authorisationRef,
            amount: order.payment.amount,
            currency: order.payment.currency,
          }
        : null,
    },
  };
}

/**
 * Routes the order with the domain pipeline and makes sure the chosen node really has the units: the
 * candidates are read without locks (so routing never waits on the whole network), then the winner's
 * balances are locked and its ATP checked again. If another transaction took the units meanwhile,
 * routing runs again with the locked figures. Only the winner's rows are ever locked.
 */
export interface ChooseOptions {
  /** Intake of a customer who agreed to a split: plan one when no single node can take the order. */
  readonly allowSplit?: boolean;
  /** The sales channel's rule; a channel that forbids splits overrides the customer's consent. */
  readonly channelAllowsSplit?: boolean;
  /**
   * Where the order goes, for the cost and SLA factors; default: the zone of the customer's chosen store.
   * Ship-to-home intake passes the zone of the delivery address.
   */
  readonly destinationZone?: string;
  /** The candidates' rows when the caller's own statement read them (the intake's first one). */
  readonly candidates?: CandidatesRead;
  /**
   * The balance lock also reads the devices and channels the transaction's finish needs (LockOptions
   * `devices`): for a transaction that, like the intake, locks nothing else and writes no device.
   */
  readonly devicesWithLock?: boolean;
}

/**
 * Routes the order and locks the balances of the node(s) chosen, re-checking their ATP under the lock:
 * another transaction may have taken the units between the read and the lock. `allocations` holds the
 * parts of a split (more than one), else the single node's allocation.
 */
export async function chooseNode(
  tx: HubTx,
  state: BopisOrderState,
  settings: BopisSettings,
  options: ChooseOptions = {},
): Promise<{ routing: RoutingResult; nodeId?: string; allocations?: RoutingAllocation[] }> {
  // Built from the order's state (parsed when it was placed or read): routed without parsing it again.
  const { orderId, lines, pickup, excludedNodeIds } = routingRequestFor(state);
  const request: RoutingRequest = {
    orderId,
    lines,
    pickup,
    splitConsent: options.allowSplit ?? false,
    channelAllowsSplit: options.channelAllowsSplit ?? true,
    excludedNodeIds: excludedNodeIds ?? [],
  };
  const skus = [...demandBySku(state.order.lines).keys()];
  const storeId = state.order.pickup.type === 'store' ? state.order.pickup.storeId : undefined;
  const alsoNodeIds = storeId === undefined ? [] : [storeId];
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const candidates = await loadCandidates(
      tx,
      skus,
      {
        offlineAfterMs: settings.offlineAfterMs,
        alsoNodeIds,
        // By default the order goes to the zone of the customer's chosen store (read with the candidates).
        ...(options.destinationZone !== undefined
          ? { destinationZone: options.destinationZone }
          : storeId === undefined
            ? {}
            : { destinationNodeId: storeId }),
        fulfilment: state.order.fulfilment.type,
      },
      // Only the first attempt: another reads the figures again after a race for the units.
      attempt === 0 ? options.candidates : undefined,
    );
    const routing = routeValidOrder(request, candidates, tx.at);
    if (routing.decision.outcome === 'unroutable') return { routing };
    const allocations = routing.decision.allocations;
    // Routing only allocates from balances it just read, so the rows exist; the same read tells whether
    // lapsed holds must be released there before the reservations are made.
    await tx.ledger.lockBalances(
      allocations.flatMap((allocation) =>
        allocation.lines.map((line) => ({ nodeId: allocation.nodeId, sku: line.sku })),
      ),
      { rowsExist: true, expiredHolds: true, devices: options.devicesWithLock === true },
    );
    const covered = allocations.every((allocation) =>
      [...demandBySku(allocation.lines)].every(([sku, required]) => {
        const balance = tx.ledger.balance(allocation.nodeId, sku);
        const atp = nodeAtp({
          sellable: balance.sellable,
          committed: Math.max(0, balance.committed),
          safetyStock: balance.safety_stock,
        });
        return atp >= required;
      }),
    );
    if (covered) {
      return routing.decision.outcome === 'routed'
        ? { routing, nodeId: routing.decision.nodeId, allocations }
        : { routing, allocations };
    }
  }
  // Other transactions kept taking the units of every node we chose: start over with fresh figures.
  throw new RetryTransaction('routing kept racing other reservations');
}
