import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import { chooseOversellVictims } from '../inventory/oversell';
import { money, toDecimal } from '../money';
import { routeOrder, type RoutingCandidateInput, type RoutingResult } from '../routing/route-order';
import {
  MAX_ROUTING_ATTEMPTS,
  applyBopisTransition,
  orderHead,
  routingRequestFor,
  type BopisEffects,
  type BopisOrderState,
  type BopisTransition,
} from './lifecycle';
import { describeBopisIssues } from './order';

/**
 * Oversell resolution (reference/domain.md §1.2, DESIGN §5). Offline sales at a node took units promised
 * to ACTIVE, unstaged reservations. The plan picks victim orders (lowest priority first, then newest
 * first, then reservation id) until their units cover the shortfall, and for each one in turn:
 *   1. re-routes it off the failed node (reservation marked SHORT, node excluded);
 *   2. routes it with the same pipeline as intake, on a stock snapshot that already counts the victims
 *      moved before it, so two victims never take the same units;
 *   3. when no node can take it (or it has been routed too often), cancels it and records the refund.
 * The plan is data: the transitions to apply in order (already checked against the state machine), their
 * effects, the order timeline steps and the exception record for HQ. Nothing is re-routed by splitting:
 * an order already promised to one store is moved whole.
 */

const entityId = z.string().min(1).max(100);
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export const OversellReservationSchema = z.object({
  reservationId: entityId,
  orderId: entityId,
  qty: z.number().int().min(1),
  /** Higher is more important; the lowest priority loses first. */
  priority: z.number().int(),
  createdAt: epochMs,
});
export type OversellReservation = z.infer<typeof OversellReservationSchema>;

export const OVERSELL_STEP_KINDS = [
  'OVERSELL_VICTIM',
  'REROUTED',
  'MARKED_SHORT',
  'CANCELLED_WITH_REFUND',
] as const;

export const OversellStepSchema = z.object({
  orderId: entityId,
  at: epochMs,
  kind: z.enum(OVERSELL_STEP_KINDS),
  message: z.string(),
});
export type OversellStep = z.infer<typeof OversellStepSchema>;

export const BopisRefundRecordSchema = z.object({
  orderId: entityId,
  orderNumber: z.string(),
  authorisationRef: z.string(),
  amount: z.number().int().min(0),
  currency: z.string(),
  reason: z.literal('oversell_short'),
  message: z.string(),
});
export type BopisRefundRecord = z.infer<typeof BopisRefundRecordSchema>;

export const OversellExceptionSchema = z.object({
  type: z.literal('OVERSELL'),
  nodeId: entityId,
  sku: entityId,
  shortBy: z.number().int().min(1),
  /** Units of this SKU the victims held at the node. */
  coveredQty: z.number().int().min(0),
  /** The victims cover the whole shortfall; otherwise the rest needs a shelf count. */
  resolved: z.boolean(),
  at: epochMs,
  victims: z.array(
    z.object({
      orderId: entityId,
      orderNumber: z.string(),
      reservationIds: z.array(entityId),
      qty: z.number().int().min(1),
      outcome: z.enum(['rerouted', 'cancelled']),
      toNodeId: entityId.optional(),
    }),
  ),
  ignored: z.array(z.object({ reservationId: entityId, orderId: entityId, reason: z.string() })),
  steps: z.array(OversellStepSchema),
  refunds: z.array(BopisRefundRecordSchema),
  message: z.string(),
});
export type OversellException = z.infer<typeof OversellExceptionSchema>;

export interface OversellVictimPlan {
  readonly orderId: string;
  readonly reservationIds: readonly string[];
  /** Units of the oversold SKU this order held at the node. */
  readonly qty: number;
  readonly outcome: 'rerouted' | 'cancelled';
  readonly toNodeId?: string;
  readonly routing: RoutingResult;
  /** Apply these with applyBopisTransition, in order, in the same transaction as the exception. */
  readonly transitions: readonly BopisTransition[];
  readonly effects: readonly BopisEffects[];
  readonly finalState: BopisOrderState;
  readonly refund?: BopisRefundRecord;
}

export interface OversellResolutionInput {
  readonly nodeId: string;
  readonly sku: string;
  readonly shortBy: number;
  /** ACTIVE, unstaged reservations of `sku` at `nodeId`. */
  readonly reservations: readonly OversellReservation[];
  /** The current state of every order those reservations belong to. */
  readonly orders: readonly BopisOrderState[];
  /** The network as routing sees it now (the failed node may be included; it is excluded per order). */
  readonly candidates: readonly RoutingCandidateInput[];
  /**
   * The network as a ship order sees it: nodes that ship (their `pickupEnabled` means "ships") and their
   * ship capacities. A ship victim is routed over these, never onto a node that only does pickup; without
   * them it is routed over `candidates`.
   */
  readonly shipCandidates?: readonly RoutingCandidateInput[];
  readonly at: number;
}

export interface OversellResolutionPlan {
  readonly exception: OversellException;
  readonly victims: readonly OversellVictimPlan[];
}

interface VictimGroup {
  readonly reservationId: string;
  readonly orderId: string;
  readonly reservationIds: string[];
  readonly qty: number;
  readonly priority: number;
  readonly createdAt: number;
}

const MOVABLE_STATUSES = new Set(['ROUTED', 'ACCEPTED', 'PICKING']);

function cloneCandidates(candidates: readonly RoutingCandidateInput[]): RoutingCandidateInput[] {
  return candidates.map((candidate) => ({
    ...candidate,
    stock: candidate.stock.map((row) => ({ ...row })),
  }));
}

/**
 * Counts a routed order against its new node, so the next victim sees what is really left. Its units
 * count in every view of the network; its pick only against the capacity of its own fulfilment type.
 */
function commitToSnapshot(
  snapshot: RoutingCandidateInput[],
  nodeId: string,
  state: BopisOrderState,
  countsPick = true,
): void {
  const index = snapshot.findIndex((candidate) => candidate.nodeId === nodeId);
  const candidate = snapshot[index];
  if (candidate === undefined) return;
  const stock = candidate.stock.map((row) => {
    const qty = state.order.lines
      .filter((line) => line.sku === row.sku)
      .reduce((total, line) => total + line.qty, 0);
    return qty === 0 ? row : { ...row, committed: row.committed + qty };
  });
  snapshot[index] = { ...candidate, stock, openPicks: (candidate.openPicks ?? 0) + (countsPick ? 1 : 0) };
}

function groupByOrder(
  input: OversellResolutionInput,
  ordersById: ReadonlyMap<string, BopisOrderState>,
  ignored: { reservationId: string; orderId: string; reason: string }[],
): VictimGroup[] {
  const groups = new Map<string, VictimGroup>();
  for (const reservation of input.reservations) {
    const state = ordersById.get(reservation.orderId);
    let reason: string | undefined;
    if (state === undefined) {
      reason = `Order ${reservation.orderId} was not found, so its reservation cannot be moved.`;
    } else if (
      !MOVABLE_STATUSES.has(state.status) ||
      state.reservation?.nodeId !== input.nodeId ||
      state.reservation.status !== 'ACTIVE'
    ) {
      reason = `Order ${state.order.orderNumber} is ${state.status} and holds no unstaged units at node ${input.nodeId}.`;
    } else if (!state.order.lines.some((line) => line.sku === input.sku)) {
      reason = `Order ${state.order.orderNumber} has no line for SKU ${input.sku}.`;
    }
    if (reason !== undefined) {
      ignored.push({ reservationId: reservation.reservationId, orderId: reservation.orderId, reason });
      continue;
    }
    const existing = groups.get(reservation.orderId);
    // One order moves as a whole: its reservations count together, ranked by the weakest and newest one.
    groups.set(
      reservation.orderId,
      existing === undefined
        ? { ...reservation, reservationIds: [reservation.reservationId] }
        : {
            reservationId:
              existing.reservationId < reservation.reservationId
                ? existing.reservationId
                : reservation.reservationId,
            orderId: reservation.orderId,
            reservationIds: [...existing.reservationIds, reservation.reservationId].sort(),
            qty: existing.qty + reservation.qty,
            priority: Math.min(existing.priority, reservation.priority),
            createdAt: Math.max(existing.createdAt, reservation.createdAt),
          },
    );
  }
  return [...groups.values()];
}

function validate(input: OversellResolutionInput): void {
  if (!Number.isSafeInteger(input.shortBy) || input.shortBy < 1) {
    throw invalid(
      'bopis.oversellShortWholeNumber',
      {},
      {
        shortBy: input.shortBy,
      },
    );
  }
  if (!Number.isSafeInteger(input.at) || input.at < 0) {
    throw invalid('bopis.resolutionTimeMustEpoch', {}, { at: input.at });
  }
  if (!entityId.safeParse(input.nodeId).success || !entityId.safeParse(input.sku).success) {
    throw invalid(
      'bopis.oversellNamesNodeSku',
      {},
      {
        nodeId: input.nodeId,
        sku: input.sku,
      },
    );
  }
  input.reservations.forEach((reservation, index) => {
    const parsed = OversellReservationSchema.safeParse(reservation);
    if (!parsed.success) {
      throw invalid(
        'bopis.reservationOversellNotValid',
        { index, summary: describeBopisIssues(parsed.error).summary },
        {
          index,
        },
      );
    }
  });
}

function applyChecked(state: BopisOrderState, transition: BopisTransition) {
  const outcome = applyBopisTransition(state, transition);
  if (outcome.kind !== 'applied') {
    // The planner builds every step on the current head, so anything else is a bug, not a business case.
    throw new DomainError('INTERNAL', 'bopis.oversellStepOrder', {
      orderId: state.order.orderId,
      outcomeKind: outcome.kind,
    });
  }
  return outcome;
}

/**
 * Plans the resolution of one oversell at (node, sku). Pure; `newTransitionId` supplies ids for the
 * transitions it plans (the hub passes its UUIDv7 generator).
 */
export function planOversellResolution(
  input: OversellResolutionInput,
  newTransitionId: () => string,
): OversellResolutionPlan {
  validate(input);
  const ordersById = new Map<string, BopisOrderState>();
  for (const state of input.orders) {
    if (ordersById.has(state.order.orderId)) {
      throw invalid(
        'bopis.orderListedTwiceOversell',
        { orderId: state.order.orderId },
        {
          orderId: state.order.orderId,
        },
      );
    }
    ordersById.set(state.order.orderId, state);
  }
  const ignored: { reservationId: string; orderId: string; reason: string }[] = [];
  const groups = groupByOrder(input, ordersById, ignored);
  const chosen = chooseOversellVictims(groups, input.shortBy);
  const snapshot = cloneCandidates(input.candidates);
  const shipSnapshot = input.shipCandidates === undefined ? undefined : cloneCandidates(input.shipCandidates);
  const steps: OversellStep[] = [];
  const refunds: BopisRefundRecord[] = [];
  const victims: OversellVictimPlan[] = [];
  const hub = { kind: 'hub' as const };

  for (const group of chosen) {
    const start = ordersById.get(group.orderId) as BopisOrderState;
    const number = start.order.orderNumber;
    steps.push({
      orderId: group.orderId,
      at: input.at,
      kind: 'OVERSELL_VICTIM',
      message: `Store ${input.nodeId} sold units of SKU ${input.sku} promised to order ${number}; the order is moved off that store.`,
    });
    const transitions: BopisTransition[] = [];
    const effects: BopisEffects[] = [];
    const rerouteStep: BopisTransition = {
      transitionId: newTransitionId(),
      basedOn: orderHead(start),
      at: input.at,
      actor: hub,
      action: 'reroute',
      reason: 'oversell',
    };
    const rerouting = applyChecked(start, rerouteStep);
    transitions.push(rerouteStep);
    effects.push(rerouting.effects);

    const ships = start.order.fulfilment.type === 'ship' && shipSnapshot !== undefined;
    const routing = routeOrder(
      routingRequestFor(rerouting.state, { allowSplit: false }),
      ships ? shipSnapshot : snapshot,
      input.at,
    );
    const decision = routing.decision;
    const exhausted = rerouting.state.routingAttempts >= MAX_ROUTING_ATTEMPTS;
    if (decision.outcome === 'routed' && !exhausted) {
      const routeStep: BopisTransition = {
        transitionId: newTransitionId(),
        basedOn: orderHead(rerouting.state),
        at: input.at,
        actor: hub,
        action: 'route',
        nodeId: decision.nodeId,
      };
      const routed = applyChecked(rerouting.state, routeStep);
      transitions.push(routeStep);
      effects.push(routed.effects);
      commitToSnapshot(snapshot, decision.nodeId, routed.state, !ships);
      if (shipSnapshot !== undefined) commitToSnapshot(shipSnapshot, decision.nodeId, routed.state, ships);
      steps.push({
        orderId: group.orderId,
        at: input.at,
        kind: 'REROUTED',
        message: `Order ${number} re-routed to store ${decision.nodeId}.`,
      });
      victims.push({
        orderId: group.orderId,
        reservationIds: group.reservationIds,
        qty: group.qty,
        outcome: 'rerouted',
        toNodeId: decision.nodeId,
        routing,
        transitions,
        effects,
        finalState: routed.state,
      });
      continue;
    }

    const why = exhausted
      ? `it has already been routed ${rerouting.state.routingAttempts} times`
      : decision.outcome === 'unroutable'
        ? decision.reason
        : 'no single store can fulfil it';
    steps.push({
      orderId: group.orderId,
      at: input.at,
      kind: 'MARKED_SHORT',
      message: `No other store can take order ${number}: ${why}`,
    });
    const cancelStep: BopisTransition = {
      transitionId: newTransitionId(),
      basedOn: orderHead(rerouting.state),
      at: input.at,
      actor: hub,
      action: 'cancel',
      reason: 'oversell_short',
    };
    const cancelled = applyChecked(rerouting.state, cancelStep);
    transitions.push(cancelStep);
    effects.push(cancelled.effects);
    const payment = start.order.payment;
    const amount = `${toDecimal(money(payment.amount, payment.currency))} ${payment.currency}`;
    const refund: BopisRefundRecord = {
      orderId: group.orderId,
      orderNumber: number,
      authorisationRef: payment.authorisationRef,
      amount: payment.amount,
      currency: payment.currency,
      reason: 'oversell_short',
      message: `Void authorisation ${payment.authorisationRef} (${amount}) for order ${number}: it was cancelled because the stock had been sold.`,
    };
    refunds.push(refund);
    steps.push({
      orderId: group.orderId,
      at: input.at,
      kind: 'CANCELLED_WITH_REFUND',
      message: `Order ${number} cancelled; the customer is refunded ${amount}.`,
    });
    victims.push({
      orderId: group.orderId,
      reservationIds: group.reservationIds,
      qty: group.qty,
      outcome: 'cancelled',
      routing,
      transitions,
      effects,
      finalState: cancelled.state,
      refund,
    });
  }

  const coveredQty = victims.reduce((total, victim) => total + victim.qty, 0);
  const resolved = coveredQty >= input.shortBy;
  const rerouted = victims.filter((victim) => victim.outcome === 'rerouted').length;
  const message =
    `Store ${input.nodeId} is short ${input.shortBy} of SKU ${input.sku}: ${victims.length} order(s) moved off it, ` +
    `${rerouted} re-routed and ${victims.length - rerouted} cancelled with a refund.` +
    (resolved
      ? ''
      : ` ${input.shortBy - coveredQty} unit(s) are still short: count the shelf at store ${input.nodeId}.`);
  return {
    exception: {
      type: 'OVERSELL',
      nodeId: input.nodeId,
      sku: input.sku,
      shortBy: input.shortBy,
      coveredQty,
      resolved,
      at: input.at,
      victims: victims.map((victim) => ({
        orderId: victim.orderId,
        orderNumber: victim.finalState.order.orderNumber,
        reservationIds: [...victim.reservationIds],
        qty: victim.qty,
        outcome: victim.outcome,
        ...(victim.toNodeId === undefined ? {} : { toNodeId: victim.toNodeId }),
      })),
      ignored,
      steps,
      refunds,
      message,
    },
    victims,
  };
}
