import { z } from 'zod';
import {
  DomainError,
  MAX_ROUTING_ATTEMPTS,
  REROUTE_REASONS,
  dueForExpiry,
  orderHead,
  type BopisOrderState,
  type CancelReason,
  type RerouteReason,
} from '@retail/domain';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { DEFAULT_BOPIS_SETTINGS, OrderChange, chooseNode, type BopisSettings } from './order-change';
import { readOrderView, requireOrder, type OrderView, type StoredOrder } from './order-records';

/**
 * The hub's own steps on an order: cancel (customer or HQ), HQ re-route, re-routing after a short pick,
 * and expiry of ready orders nobody collected. Each runs in one transaction that locks the stock
 * balances the order holds before the order row (the same order as ingest and intake), so a store event
 * for the same order waits instead of interleaving.
 */

function hubActor(actor: string) {
  return actor.startsWith('user:')
    ? { kind: 'hub' as const, userId: actor.slice('user:'.length) }
    : { kind: 'hub' as const };
}

/** Locks the balances the order's reservation touches, then the order row. */
export async function lockOrder(tx: HubTx, orderId: string): Promise<StoredOrder> {
  const postgres = tx.hub.storage.kind === 'postgres';
  const peek = await requireOrder(tx.trx, orderId, { lock: false, postgres });
  await lockReservationBalances(tx, peek.state);
  const stored = await requireOrder(tx.trx, orderId, { lock: true, postgres });
  // Changed between the peek and the lock: lock what it holds now too (a rare out-of-order lock).
  await lockReservationBalances(tx, stored.state);
  return stored;
}

async function lockReservationBalances(tx: HubTx, state: BopisOrderState): Promise<void> {
  const nodeId = state.reservation?.nodeId;
  if (nodeId === undefined) return;
  await tx.ledger.lockBalances(state.order.lines.map((line) => ({ nodeId, sku: line.sku })));
}

/**
 * Routes the order again (it is PLACED or REROUTING), or cancels it with a refund record when no node
 * can take it or it has been routed too often. The routing explanation is stored either way.
 */
export async function routeOrCancel(
  change: OrderChange,
  cancelReason: CancelReason,
  settings: BopisSettings,
): Promise<'routed' | 'cancelled'> {
  const tx = change.tx;
  const number = change.state.order.orderNumber;
  let why: string;
  if (change.state.routingAttempts >= MAX_ROUTING_ATTEMPTS) {
    why = `it has already been routed ${change.state.routingAttempts} times`;
  } else {
    const { routing, nodeId } = await chooseNode(tx, change.state, settings);
    change.setRouting(routing);
    if (nodeId !== undefined) {
      await change.apply(
        {
          transitionId: tx.hub.newId(),
          basedOn: orderHead(change.state),
          at: tx.at,
          actor: { kind: 'hub' },
          action: 'route',
          nodeId,
        },
        'hub',
      );
      return 'routed';
    }
    why = routing.decision.outcome === 'unroutable' ? routing.decision.reason : 'no single store can take it';
  }
  change.note('routing_failed', 'hub', `No store can take order ${number}: ${why}`, { cancelReason });
  await change.apply(
    {
      transitionId: tx.hub.newId(),
      basedOn: orderHead(change.state),
      at: tx.at,
      actor: { kind: 'hub' },
      action: 'cancel',
      reason: cancelReason,
    },
    'hub',
  );
  const payment = change.state.order.payment;
  await change.recordRefund({
    reason: cancelReason,
    status: 'pending',
    message: `Void authorisation ${payment.authorisationRef} (${payment.amount} ${payment.currency} minor units) for order ${number}: it was cancelled because no store could fulfil it.`,
  });
  return 'cancelled';
}

/** Moves an order off its store (hub `reroute`), then routes it elsewhere or cancels it. */
export async function rerouteOrCancel(
  change: OrderChange,
  reason: RerouteReason,
  cancelReason: CancelReason,
  settings: BopisSettings,
  actor = 'hub',
): Promise<'routed' | 'cancelled'> {
  await change.apply(
    {
      transitionId: change.tx.hub.newId(),
      basedOn: orderHead(change.state),
      at: change.tx.at,
      actor: hubActor(actor),
      action: 'reroute',
      reason,
    },
    actor,
  );
  return routeOrCancel(change, cancelReason, settings);
}

export const CancelOrderSchema = z.object({
  reason: z.enum(['customer_request', 'hq_request']).optional(),
  note: z.string().trim().min(1).max(500).optional(),
  /** The version the caller saw; a change since then answers CONFLICT instead of cancelling blind. */
  expectedVersion: z.number().int().min(1).optional(),
});
export type CancelOrder = z.infer<typeof CancelOrderSchema>;

function assertVersion(state: BopisOrderState, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && state.version !== expectedVersion) {
    throw new DomainError(
      'CONFLICT',
      'hub.orders.orderChangedSinceLoaded',
      { orderNumber: state.order.orderNumber, stateStatus: state.status, version: state.version },
      { orderId: state.order.orderId, version: state.version, status: state.status },
    );
  }
}

/**
 * Cancels an order for the customer (an e-commerce API key) or HQ. A handed-over order cannot be
 * cancelled; a handover the hub has not heard of yet wins when it arrives (the conflict rule), and the
 * cancellation then becomes a refund exception.
 */
export async function cancelOrder(
  hub: HubContext,
  orderId: string,
  request: CancelOrder,
  caller: { readonly actor: string; readonly customer: boolean },
): Promise<OrderView> {
  if (caller.customer && request.reason === 'hq_request') {
    throw new DomainError('FORBIDDEN', 'hub.orders.apiKeyCancelsForCustomerOnly');
  }
  const reason: CancelReason = request.reason ?? (caller.customer ? 'customer_request' : 'hq_request');
  await inHubTransaction(hub, async (tx) => {
    const stored = await lockOrder(tx, orderId);
    assertVersion(stored.state, request.expectedVersion);
    const change = OrderChange.forStored(tx, stored);
    await change.apply(
      {
        transitionId: hub.newId(),
        basedOn: orderHead(stored.state),
        at: tx.at,
        actor: hubActor(caller.actor),
        action: 'cancel',
        reason,
        ...(request.note === undefined ? {} : { note: request.note }),
      },
      caller.actor,
    );
    await change.save();
  });
  return readOrderView(hub.storage.db, orderId);
}

export const RerouteOrderSchema = z.object({
  reason: z.enum(REROUTE_REASONS).exclude(['short_pick', 'oversell']).default('hq_request'),
  expectedVersion: z.number().int().min(1).optional(),
});

/** HQ moves an order off its store (the store closed early, a picker is off sick). */
export async function rerouteOrder(
  hub: HubContext,
  orderId: string,
  request: z.infer<typeof RerouteOrderSchema>,
  actor: string,
  settings: BopisSettings = DEFAULT_BOPIS_SETTINGS,
): Promise<OrderView> {
  await inHubTransaction(hub, async (tx) => {
    const stored = await lockOrder(tx, orderId);
    assertVersion(stored.state, request.expectedVersion);
    const change = OrderChange.forStored(tx, stored);
    await rerouteOrCancel(change, request.reason, 'unroutable', settings, actor);
    await change.save();
  });
  return readOrderView(hub.storage.db, orderId);
}

/**
 * Re-routes orders a store reported short (SHORT_PICK): the store is excluded from now on, so the order
 * goes to another node with ATP, or is cancelled with a refund record.
 */
export async function resolveShortPicks(
  hub: HubContext,
  settings: BopisSettings = DEFAULT_BOPIS_SETTINGS,
  limit = 100,
): Promise<number> {
  const due = await hub.storage.db
    .selectFrom('bopis_orders')
    .select('order_id')
    .where('status', '=', 'SHORT_PICK')
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  let handled = 0;
  for (const { order_id: orderId } of due) {
    handled += await inHubTransaction(hub, async (tx) => {
      const stored = await lockOrder(tx, orderId);
      if (stored.state.status !== 'SHORT_PICK') return 0;
      const change = OrderChange.forStored(tx, stored);
      await rerouteOrCancel(change, 'short_pick', 'short_unresolved', settings);
      await change.save();
      return 1;
    });
  }
  return handled;
}

/**
 * Expires ready orders whose deadline (plus grace) has passed: the reservation is released, the store is
 * told to put the units back (it records the UNSTAGE itself), the authorisation is voided and the
 * customer told. The sweep picks them by the indexed expires_at; the domain decides which are due.
 */
export async function expireDueOrders(hub: HubContext, limit = 200): Promise<number> {
  const at = hub.now();
  const rows = await hub.storage.db
    .selectFrom('bopis_orders')
    .select(['order_id', 'state'])
    .where('status', '=', 'READY_FOR_PICKUP')
    .where('expires_at', '<=', at)
    .orderBy('expires_at')
    .orderBy('order_id')
    .limit(limit)
    .execute();
  const due = dueForExpiry(
    rows.map((row) => {
      const state = JSON.parse(row.state) as BopisOrderState;
      return { status: state.status, expiresAt: state.expiresAt, order: { orderId: row.order_id } };
    }),
    at,
  );
  let expired = 0;
  for (const candidate of due) {
    expired += await inHubTransaction(hub, async (tx) => {
      const stored = await lockOrder(tx, candidate.order.orderId);
      const state = stored.state;
      // A handover may have arrived since the sweep read the order.
      if (state.status !== 'READY_FOR_PICKUP' || state.expiresAt === undefined || state.expiresAt > tx.at) {
        return 0;
      }
      const change = OrderChange.forStored(tx, stored);
      await change.apply(
        {
          transitionId: hub.newId(),
          basedOn: orderHead(state),
          at: tx.at,
          actor: { kind: 'hub' },
          action: 'expire',
        },
        'hub',
      );
      await change.save();
      return 1;
    });
  }
  return expired;
}

/** When the expiry timer next has work. */
export async function nextExpiryAt(hub: HubContext): Promise<number | undefined> {
  const row = await hub.storage.db
    .selectFrom('bopis_orders')
    .select((eb) => eb.fn.min<number>('expires_at').as('next'))
    .where('status', '=', 'READY_FOR_PICKUP')
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
}
