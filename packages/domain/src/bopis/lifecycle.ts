import { z } from 'zod';
import { MAX_STOCK_QTY } from '../bounds';
import { DomainError, assertNever, invalid } from '../errors';
import type { Bucket, MovementType } from '../inventory/movement';
import {
  transitionReservation,
  type ReservationAction,
  type ReservationStatus,
} from '../inventory/reservation';
import type { RoutingRequestInput } from '../routing/route-order';
import { formatInstant } from '../time';
import { pickupDeadlineFor } from './expiry';
import {
  BopisOrderSchema,
  describeBopisIssues,
  isShipOrder,
  type BopisOrder,
  type BopisOrderInput,
  type ParsedBopisOrder,
} from './order';
import { PICKUP_VERIFICATIONS, PickupCodeSchema } from './pickup-code';
import { pickProgress, verifyPickScan } from './picking';
import {
  CarrierSchema,
  MAX_PARCELS,
  ParcelSchema,
  ShipmentSchema,
  ShippedLineSchema,
  TrackingNumberSchema,
  captureAmountFor,
  type ShippedLine,
} from './shipment';
import {
  BOPIS_ACTIONS,
  BOPIS_STATUSES,
  BOPIS_TRANSITIONS,
  describeBopisAction,
  describeBopisStatus,
  type BopisStatus,
} from './status';

/**
 * The BOPIS order lifecycle as pure decisions. The hub and the store node both run `applyBopisTransition`
 * on their copy of the order state; it returns the next state plus everything the caller must do in the
 * same transaction: reservation moves, the ledger movements the acting store records, tasks for stores,
 * count discrepancies, the payment step and the customer notification.
 *
 * Versions: every accepted transition raises `version` by one and is logged with its `transitionId`.
 * A transition names the head it was made on (`basedOn`: version + transitionId).
 * - Same transitionId already logged (or already superseded): a replay, a no-op.
 * - Based on the current head: applied if the table allows it, else NOT_ALLOWED / FORBIDDEN.
 * - Based on an older or unknown head (the actor had not seen the latest change):
 *   - from the hub: CONFLICT, reload and retry (hub commands are online and interactive);
 *   - from a store: the store acted offline. A handover is a physical fact and wins: the order ends
 *     PICKED_UP and a conflict record (with a refund decision after a cancel or expiry) goes to HQ. Any
 *     other store step is superseded: refused, recorded on the order, and its physical side effects are
 *     turned into follow-ups (unstage what was staged, count what was found short).
 */

/** After this many routings the hub stops trying: cancel and refund instead of bouncing between stores. */
export const MAX_ROUTING_ATTEMPTS = 5;

const entityId = z.string().min(1).max(100);
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);
const versionNumber = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const foundQty = z.number().int().min(0).max(MAX_STOCK_QTY);

export const BopisActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hub'), userId: entityId.optional() }),
  z.object({ kind: z.literal('store'), nodeId: entityId, staffId: entityId.optional() }),
]);
export type BopisActor = z.infer<typeof BopisActorSchema>;

export const REROUTE_REASONS = ['short_pick', 'oversell', 'store_unavailable', 'hq_request'] as const;
export type RerouteReason = (typeof REROUTE_REASONS)[number];

export const CANCEL_REASONS = [
  'customer_request',
  'hq_request',
  'unroutable',
  'short_unresolved',
  'oversell_short',
  'payment_failed',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

const BasedOnSchema = z.object({ version: versionNumber, transitionId: entityId });
const common = { transitionId: entityId, basedOn: BasedOnSchema, at: epochMs, actor: BopisActorSchema };
const FoundLineSchema = z.object({ lineId: entityId, foundQty });

export const BopisTransitionSchema = z.discriminatedUnion('action', [
  z.object({ ...common, action: z.literal('route'), nodeId: entityId }),
  z.object({ ...common, action: z.literal('accept') }),
  z.object({ ...common, action: z.literal('start_picking') }),
  z.object({
    ...common,
    action: z.literal('pick'),
    lineId: entityId,
    scannedSku: entityId,
    qty: z.number().int().min(1).max(MAX_STOCK_QTY),
  }),
  z.object({ ...common, action: z.literal('short_line'), lineId: entityId, foundQty }),
  z.object({
    ...common,
    action: z.literal('report_short'),
    found: z.array(FoundLineSchema).max(200).default([]),
  }),
  z.object({ ...common, action: z.literal('mark_ready') }),
  z.object({ ...common, action: z.literal('hand_over'), verifiedBy: z.enum(PICKUP_VERIFICATIONS) }),
  z.object({
    ...common,
    action: z.literal('pack'),
    parcels: z
      .array(ParcelSchema)
      .min(1, 'Pack the order into at least one parcel.')
      .max(MAX_PARCELS)
      .refine((parcels) => new Set(parcels.map((parcel) => parcel.parcelId)).size === parcels.length, {
        message: 'Each parcel needs its own parcelId.',
      }),
  }),
  z.object({
    ...common,
    action: z.literal('ship'),
    carrier: CarrierSchema,
    trackingNumber: TrackingNumberSchema,
    /** What left in the parcels, per line: lets the hub check a shipment it did not see packed. */
    lines: z.array(ShippedLineSchema).min(1).max(200),
  }),
  z.object({ ...common, action: z.literal('reroute'), reason: z.enum(REROUTE_REASONS) }),
  z.object({
    ...common,
    action: z.literal('cancel'),
    reason: z.enum(CANCEL_REASONS),
    note: z.string().trim().max(500).optional(),
  }),
  z.object({ ...common, action: z.literal('expire') }),
]);
export type BopisTransition = z.infer<typeof BopisTransitionSchema>;
export type BopisTransitionInput = z.input<typeof BopisTransitionSchema>;

export const BopisLogEntrySchema = z.object({
  version: versionNumber,
  transitionId: entityId,
  action: z.enum(['place', ...BOPIS_ACTIONS]),
  actor: BopisActorSchema,
  at: epochMs,
  from: z.enum(BOPIS_STATUSES).optional(),
  to: z.enum(BOPIS_STATUSES),
  /** For the order timeline: routed node, reason, conflict. */
  detail: z.string().max(500).optional(),
});
export type BopisLogEntry = z.infer<typeof BopisLogEntrySchema>;

/** A store step that arrived after the hub had moved the order on, kept so a replay stays a no-op. */
export const SupersededStepSchema = z.object({
  transitionId: entityId,
  action: z.enum(BOPIS_ACTIONS),
  actor: BopisActorSchema,
  at: epochMs,
  reason: z.string().max(500),
});

/** Where the order's units are promised; the hub's per-line reservations all share this status. */
export const BopisReservationRefSchema = z.object({
  nodeId: entityId,
  status: z.enum(['HELD', 'ACTIVE', 'STAGED', 'SHORT']),
});
export type BopisReservationRef = z.infer<typeof BopisReservationRefSchema>;

export const BopisLineProgressSchema = z.object({
  lineId: entityId,
  pickedQty: foundQty,
  shortPicked: z.boolean(),
});
export type BopisLineProgress = z.infer<typeof BopisLineProgressSchema>;

export const BopisOrderStateSchema = z
  .object({
    order: BopisOrderSchema,
    status: z.enum(BOPIS_STATUSES),
    version: versionNumber,
    /** The node fulfilling the order now (absent while placed or re-routing). */
    nodeId: entityId.optional(),
    reservation: BopisReservationRefSchema.optional(),
    progress: z.array(BopisLineProgressSchema),
    /** Nodes that failed this order (short pick, oversell): routing never tries them again. */
    excludedNodeIds: z.array(entityId),
    routingAttempts: z.number().int().min(0),
    pickupCode: PickupCodeSchema,
    readyAt: epochMs.optional(),
    pickupDeadline: epochMs.optional(),
    expiresAt: epochMs.optional(),
    closedAt: epochMs.optional(),
    cancelReason: z.enum(CANCEL_REASONS).optional(),
    log: z.array(BopisLogEntrySchema).min(1),
    superseded: z.array(SupersededStepSchema).default([]),
    /** Ship orders, once packed: parcels, what they hold, and carrier + tracking once shipped. */
    shipment: ShipmentSchema.optional(),
  })
  .refine((state) => state.log[state.log.length - 1]?.version === state.version, {
    message: 'The order version must be the version of its last logged transition.',
    path: ['version'],
  })
  .refine(
    (state) =>
      state.progress.length === state.order.lines.length &&
      state.progress.every((line, index) => line.lineId === state.order.lines[index]?.lineId),
    { message: 'Picking progress must list the order lines in order.', path: ['progress'] },
  );
export type BopisOrderState = z.infer<typeof BopisOrderStateSchema>;

export interface BopisLineQty {
  readonly lineId: string;
  readonly sku: string;
  readonly qty: number;
}

/** One reservation move for every line of the order at one node. */
export interface BopisReservationEffect {
  readonly nodeId: string;
  readonly action: ReservationAction | 'create';
  readonly from?: ReservationStatus;
  readonly to: ReservationStatus;
  readonly lines: readonly BopisLineQty[];
}

export interface BopisMovement {
  readonly nodeId: string;
  readonly lineId: string;
  readonly sku: string;
  readonly type: MovementType;
  readonly bucket: Bucket;
  readonly delta: number;
}

export type BopisStoreTask =
  | { readonly kind: 'withdraw'; readonly nodeId: string; readonly message: string }
  | {
      readonly kind: 'unstage';
      readonly nodeId: string;
      readonly movements: readonly BopisMovement[];
      readonly message: string;
    };

export interface BopisCountDiscrepancy {
  readonly nodeId: string;
  readonly lineId: string;
  readonly sku: string;
  readonly expectedQty: number;
  readonly foundQty: number;
}

export type BopisPaymentEffect = 'none' | 'capture' | 'void';
export type BopisNotification = 'ready_for_pickup' | 'shipped' | 'rerouted' | 'expired' | 'cancelled';

export interface BopisEffects {
  readonly reservations: readonly BopisReservationEffect[];
  /** Physical movements the acting store records with its own event (PICK on ready, PICKUP_HANDOVER). */
  readonly storeMovements: readonly BopisMovement[];
  /** Work the hub sends to stores: drop the order from the queue, put staged units back. */
  readonly storeTasks: readonly BopisStoreTask[];
  readonly countDiscrepancies: readonly BopisCountDiscrepancy[];
  readonly payment: BopisPaymentEffect;
  /** For a capture: minor units to capture when less than the authorisation (a ship order that left short). */
  readonly captureAmount?: number;
  readonly notification?: BopisNotification;
}

export const HANDOVER_CONFLICT_TYPES = [
  'HANDOVER_AFTER_CANCEL',
  'HANDOVER_AFTER_EXPIRY',
  'HANDOVER_AFTER_REROUTE',
  'SHIPPED_AFTER_CANCEL',
  'SHIPPED_AFTER_REROUTE',
] as const;

export const HandoverConflictSchema = z.object({
  type: z.enum(HANDOVER_CONFLICT_TYPES),
  orderId: entityId,
  orderNumber: z.string(),
  /** Where the customer received the goods. */
  nodeId: entityId,
  handedOverAt: epochMs,
  overriddenStatus: z.enum(BOPIS_STATUSES),
  overriddenVersion: versionNumber,
  overriddenAt: epochMs,
  /** After a cancel or expiry the payment was voided or refunded, yet the customer has the goods. */
  refund: z
    .object({
      decision: z.literal('REVIEW_REFUND'),
      authorisationRef: z.string(),
      amount: z.number().int().min(0),
      currency: z.string(),
      options: z.array(z.enum(['capture_payment', 'request_return', 'write_off'])),
    })
    .optional(),
  message: z.string(),
});
export type HandoverConflict = z.infer<typeof HandoverConflictSchema>;

export type BopisTransitionOutcome =
  | { readonly kind: 'applied'; readonly state: BopisOrderState; readonly effects: BopisEffects }
  | { readonly kind: 'replayed'; readonly state: BopisOrderState }
  | {
      readonly kind: 'superseded';
      readonly state: BopisOrderState;
      readonly reason: string;
      readonly effects: BopisEffects;
    }
  | {
      readonly kind: 'conflict_resolved';
      readonly state: BopisOrderState;
      readonly effects: BopisEffects;
      readonly conflict: HandoverConflict;
    };

interface MutableEffects {
  reservations: BopisReservationEffect[];
  storeMovements: BopisMovement[];
  storeTasks: BopisStoreTask[];
  countDiscrepancies: BopisCountDiscrepancy[];
  payment: BopisPaymentEffect;
  captureAmount?: number;
  notification?: BopisNotification;
}

function emptyEffects(): MutableEffects {
  return { reservations: [], storeMovements: [], storeTasks: [], countDiscrepancies: [], payment: 'none' };
}

function lineQtys(order: BopisOrder): BopisLineQty[] {
  return order.lines.map((line) => ({ lineId: line.lineId, sku: line.sku, qty: line.qty }));
}

function freshProgress(order: BopisOrder): BopisLineProgress[] {
  return order.lines.map((line) => ({ lineId: line.lineId, pickedQty: 0, shortPicked: false }));
}

/** Moves every line's reservation at one node; the inventory state machine decides legality and movements. */
function moveReservation(
  order: BopisOrder,
  ref: BopisReservationRef,
  action: ReservationAction,
  lines: readonly BopisOrder['lines'][number][] = order.lines,
): { effect: BopisReservationEffect; movements: BopisMovement[] } {
  let to: ReservationStatus = ref.status;
  const movements: BopisMovement[] = [];
  for (const line of lines) {
    const decided = transitionReservation(
      { reservationId: `${order.orderId}:${line.lineId}`, status: ref.status, qty: line.qty },
      action,
    );
    to = decided.to;
    for (const movement of decided.movements) {
      movements.push({ nodeId: ref.nodeId, lineId: line.lineId, sku: line.sku, ...movement });
    }
  }
  return {
    effect: {
      nodeId: ref.nodeId,
      action,
      from: ref.status,
      to,
      lines: lines.map((line) => ({ lineId: line.lineId, sku: line.sku, qty: line.qty })),
    },
    movements,
  };
}

/**
 * Lines whose reservation is still whole. After a short pack a ship order's short lines were released
 * (their found units sit in `staged` without a reservation, see pack), so later moves skip them.
 */
function reservedLines(state: BopisOrderState): BopisOrder['lines'] {
  const shipment = state.shipment;
  if (shipment === undefined) return state.order.lines;
  return state.order.lines.filter(
    (line) => shipment.lines.find((packed) => packed.lineId === line.lineId)?.qty === line.qty,
  );
}

/** Units of short lines that were packed: staged, but no longer backed by a reservation. */
function unreservedPackedLines(state: BopisOrderState): { lineId: string; sku: string; qty: number }[] {
  const shipment = state.shipment;
  if (shipment === undefined) return [];
  return state.order.lines.flatMap((line) => {
    const packed = shipment.lines.find((entry) => entry.lineId === line.lineId)?.qty ?? 0;
    return packed > 0 && packed < line.qty ? [{ lineId: line.lineId, sku: line.sku, qty: packed }] : [];
  });
}

function bucketMove(
  nodeId: string,
  line: { lineId: string; sku: string; qty: number },
  type: 'PICK' | 'UNSTAGE',
  from: Bucket,
  to: Bucket,
): BopisMovement[] {
  return [
    { nodeId, lineId: line.lineId, sku: line.sku, type, bucket: from, delta: -line.qty },
    { nodeId, lineId: line.lineId, sku: line.sku, type, bucket: to, delta: line.qty },
  ];
}

function unstageTask(nodeId: string, orderNumber: string, movements: BopisMovement[]): BopisStoreTask {
  return {
    kind: 'unstage',
    nodeId,
    movements,
    message: `Order ${orderNumber} will not be collected here: put its staged items back on the shelf.`,
  };
}

function withdrawTask(nodeId: string, orderNumber: string): BopisStoreTask {
  return {
    kind: 'withdraw',
    nodeId,
    message: `Order ${orderNumber} is no longer yours to pick: stop picking and return any picked items to the shelf.`,
  };
}

export function orderHead(state: BopisOrderState): { version: number; transitionId: string } {
  const head = state.log[state.log.length - 1];
  if (head === undefined) throw invalid('bopis.orderStateAlwaysLeast');
  return { version: head.version, transitionId: head.transitionId };
}

export interface PlaceBopisOrderOptions {
  readonly transitionId: string;
  readonly pickupCode: string;
  /** The node where intake managed a HELD reservation (normally the customer's chosen store). */
  readonly heldAt?: string;
  readonly actor?: BopisActor;
}

/** Creates the order state at version 1 (PLACED) from a validated-or-not intake body. */
export function placeBopisOrder(
  input: BopisOrderInput,
  options: PlaceBopisOrderOptions,
): { state: BopisOrderState; effects: BopisEffects } {
  const parsed = BopisOrderSchema.safeParse(input);
  if (!parsed.success) {
    const { problems, summary } = describeBopisIssues(parsed.error);
    throw invalid('bopis.orderNotValid', { summary }, { problems });
  }
  return placeParsedBopisOrder(parsed.data as ParsedBopisOrder, options);
}

/**
 * placeBopisOrder for an order parseBopisOrder has already validated (the hub's intake parses the body
 * once, then places it twice: to route it, then held where routing chose): the order is not parsed again.
 */
export function placeParsedBopisOrder(
  order: ParsedBopisOrder,
  options: PlaceBopisOrderOptions,
): { state: BopisOrderState; effects: BopisEffects } {
  if (!PickupCodeSchema.safeParse(options.pickupCode).success) {
    throw invalid('bopis.pickupCodeMustCome', {}, { orderId: order.orderId });
  }
  if (!entityId.safeParse(options.transitionId).success) {
    throw invalid('bopis.transitionIdCharacters', {}, { orderId: order.orderId });
  }
  if (options.heldAt !== undefined && !entityId.safeParse(options.heldAt).success) {
    throw invalid('bopis.nodeHoldingOrderNot', {}, { heldAt: options.heldAt });
  }
  const effects = emptyEffects();
  if (options.heldAt !== undefined) {
    effects.reservations.push({
      nodeId: options.heldAt,
      action: 'create',
      to: 'HELD',
      lines: lineQtys(order),
    });
  }
  const state: BopisOrderState = {
    order,
    status: 'PLACED',
    version: 1,
    ...(options.heldAt === undefined
      ? {}
      : { reservation: { nodeId: options.heldAt, status: 'HELD' as const } }),
    progress: freshProgress(order),
    excludedNodeIds: [],
    routingAttempts: 0,
    pickupCode: options.pickupCode,
    log: [
      {
        version: 1,
        transitionId: options.transitionId,
        action: 'place',
        actor: options.actor ?? { kind: 'hub' },
        at: order.placedAt,
        to: 'PLACED',
      },
    ],
    superseded: [],
  };
  return { state, effects };
}

function parseTransition(input: BopisTransitionInput): BopisTransition {
  const parsed = BopisTransitionSchema.safeParse(input);
  if (!parsed.success) {
    const { problems, summary } = describeBopisIssues(parsed.error);
    throw invalid('bopis.orderStepNotValid', { value: summary.replaceAll('order.', 'step.') }, { problems });
  }
  return parsed.data;
}

/**
 * Applies one transition to an order state. Pure: the input state is never mutated. Throws DomainError
 * for a malformed step (INVALID_INPUT), the wrong actor (FORBIDDEN), a step the table does not allow from
 * the current state (NOT_ALLOWED, LIMIT_EXCEEDED) and a stale hub step (CONFLICT).
 */
export function applyBopisTransition(
  state: BopisOrderState,
  input: BopisTransitionInput,
): BopisTransitionOutcome {
  const transition = parseTransition(input);
  if (
    state.log.some((entry) => entry.transitionId === transition.transitionId) ||
    state.superseded.some((step) => step.transitionId === transition.transitionId)
  ) {
    return { kind: 'replayed', state };
  }
  const rule = BOPIS_TRANSITIONS[transition.action];
  if (transition.actor.kind !== rule.actor) {
    throw new DomainError(
      'FORBIDDEN',
      'bopis.onlyCanMarkOrder',
      { actor: rule.actor, action: describeBopisAction(transition.action) },
      { orderId: state.order.orderId, action: transition.action, actor: transition.actor.kind },
    );
  }
  const head = orderHead(state);
  const onHead =
    transition.basedOn.version === head.version && transition.basedOn.transitionId === head.transitionId;
  if (onHead) return applyOnHead(state, transition);
  if (transition.actor.kind === 'hub') {
    throw new DomainError(
      'CONFLICT',
      'bopis.orderChangedSinceLoaded',
      {
        orderNumber: state.order.orderNumber,
        stateStatus: describeBopisStatus(state.status),
        version: state.version,
      },
      { orderId: state.order.orderId, version: state.version, basedOn: transition.basedOn },
    );
  }
  return applyConcurrentStoreStep(state, transition, transition.actor.nodeId);
}

function applyOnHead(state: BopisOrderState, transition: BopisTransition): BopisTransitionOutcome {
  const number = state.order.orderNumber;
  if (transition.actor.kind === 'store' && state.nodeId !== transition.actor.nodeId) {
    throw new DomainError(
      'FORBIDDEN',
      state.nodeId === undefined ? 'bopis.orderNotAssignedStore' : 'bopis.orderAssignedStoreNot',
      state.nodeId === undefined
        ? { number, nodeId: transition.actor.nodeId }
        : { number, nodeId: state.nodeId, nodeId2: transition.actor.nodeId },
      { orderId: state.order.orderId, nodeId: state.nodeId, actorNodeId: transition.actor.nodeId },
    );
  }
  const rule = BOPIS_TRANSITIONS[transition.action];
  assertFulfilmentFits(state, transition.action);
  if (!rule.from.includes(state.status)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.orderCannotNow',
      {
        number,
        stateStatus: describeBopisStatus(state.status),
        action: describeBopisAction(transition.action),
      },
      { orderId: state.order.orderId, status: state.status, action: transition.action },
    );
  }
  switch (transition.action) {
    case 'route':
      return route(state, transition);
    case 'accept':
    case 'start_picking':
      return applied(advance(state, transition, rule.to, {}), emptyEffects());
    case 'pick':
      return pick(state, transition);
    case 'short_line':
      return applied(
        advance(state, transition, rule.to, {
          progress: withShortLines(state, [{ lineId: transition.lineId, foundQty: transition.foundQty }]),
        }),
        emptyEffects(),
      );
    case 'report_short':
      return reportShort(state, transition);
    case 'mark_ready':
      return markReady(state, transition);
    case 'hand_over':
      return handOver(state, transition);
    case 'pack':
      return pack(state, transition);
    case 'ship':
      return ship(state, transition);
    case 'reroute':
      return reroute(state, transition);
    case 'cancel':
      return cancel(state, transition);
    case 'expire':
      return expire(state, transition);
    default:
      return assertNever(transition, 'BOPIS transition');
  }
}

const PICKUP_ONLY_ACTIONS: readonly BopisTransition['action'][] = ['mark_ready', 'hand_over', 'expire'];
const SHIP_ONLY_ACTIONS: readonly BopisTransition['action'][] = ['pack', 'ship'];

function assertFulfilmentFits(state: BopisOrderState, action: BopisTransition['action']): void {
  const number = state.order.orderNumber;
  if (isShipOrder(state.order) && PICKUP_ONLY_ACTIONS.includes(action)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.orderShipHomeOrder',
      { number, action: describeBopisAction(action) },
      { orderId: state.order.orderId, action },
    );
  }
  if (!isShipOrder(state.order) && SHIP_ONLY_ACTIONS.includes(action)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.orderCollectedStoreMark',
      { number, action: describeBopisAction(action) },
      { orderId: state.order.orderId, action },
    );
  }
}

function applied(state: BopisOrderState, effects: BopisEffects): BopisTransitionOutcome {
  return { kind: 'applied', state, effects };
}

type StatePatch = Partial<Omit<BopisOrderState, 'order' | 'status' | 'version' | 'log'>>;

function advance(
  state: BopisOrderState,
  transition: BopisTransition,
  to: BopisStatus,
  patch: StatePatch,
  detail?: string,
): BopisOrderState {
  const version = state.version + 1;
  const entry: BopisLogEntry = {
    version,
    transitionId: transition.transitionId,
    action: transition.action,
    actor: transition.actor,
    at: transition.at,
    from: state.status,
    to,
    ...(detail === undefined ? {} : { detail }),
  };
  return { ...state, ...patch, status: to, version, log: [...state.log, entry] };
}

/** Drops optional fields that no longer apply (exactOptionalPropertyTypes-safe, JSON-stable). */
function without<K extends keyof BopisOrderState>(state: BopisOrderState, ...keys: K[]): BopisOrderState {
  const copy: Partial<BopisOrderState> = { ...state };
  for (const key of keys) delete copy[key];
  return copy as BopisOrderState;
}

function route(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'route' }>) {
  const number = state.order.orderNumber;
  if (state.excludedNodeIds.includes(transition.nodeId)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.storeAlreadyFailedOrder',
      { nodeId: transition.nodeId, number },
      { orderId: state.order.orderId, nodeId: transition.nodeId },
    );
  }
  if (state.routingAttempts >= MAX_ROUTING_ATTEMPTS) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'bopis.orderRoutedTimesCancel',
      { number, routingAttempts: state.routingAttempts },
      { orderId: state.order.orderId, routingAttempts: state.routingAttempts },
    );
  }
  const effects = emptyEffects();
  const held = state.reservation;
  if (held !== undefined && held.status === 'HELD' && held.nodeId === transition.nodeId) {
    effects.reservations.push(moveReservation(state.order, held, 'activate').effect);
  } else {
    if (held !== undefined) {
      // A checkout hold elsewhere is simply let go; an order-backed one moves (Shopify fulfillmentOrderMove).
      const action: ReservationAction = held.status === 'HELD' ? 'release' : 'reassign';
      effects.reservations.push(moveReservation(state.order, held, action).effect);
    }
    effects.reservations.push({
      nodeId: transition.nodeId,
      action: 'create',
      to: 'ACTIVE',
      lines: lineQtys(state.order),
    });
  }
  if (state.status === 'REROUTING') effects.notification = 'rerouted';
  const next = advance(
    state,
    transition,
    'ROUTED',
    {
      nodeId: transition.nodeId,
      reservation: { nodeId: transition.nodeId, status: 'ACTIVE' },
      routingAttempts: state.routingAttempts + 1,
      progress: freshProgress(state.order),
    },
    `Routed to store ${transition.nodeId}.`,
  );
  return applied(next, effects);
}

function progressLine(state: BopisOrderState, lineId: string) {
  const index = state.order.lines.findIndex((line) => line.lineId === lineId);
  const line = state.order.lines[index];
  const progress = state.progress[index];
  if (line === undefined || progress === undefined) {
    throw invalid(
      'bopis.orderNoLine',
      { orderNumber: state.order.orderNumber, lineId },
      {
        orderId: state.order.orderId,
        lineId,
      },
    );
  }
  return { index, line, progress };
}

function pick(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'pick' }>) {
  const { index, line, progress } = progressLine(state, transition.lineId);
  const scan = verifyPickScan(
    { lineId: line.lineId, sku: line.sku, qty: line.qty, pickedQty: progress.pickedQty },
    transition.scannedSku,
    transition.qty,
  );
  if (!scan.ok) throw DomainError.fromBody(scan.error);
  const updated = [...state.progress];
  updated[index] = {
    lineId: line.lineId,
    pickedQty: scan.value.pickedQty,
    // Finding the rest of a line that was declared short makes it whole again.
    shortPicked: progress.shortPicked && !scan.value.complete,
  };
  return applied(advance(state, transition, 'PICKING', { progress: updated }), emptyEffects());
}

function withShortLines(
  state: BopisOrderState,
  found: readonly { lineId: string; foundQty: number }[],
): BopisLineProgress[] {
  const updated = [...state.progress];
  const seen = new Set<string>();
  for (const entry of found) {
    if (seen.has(entry.lineId)) {
      throw invalid('bopis.lineReportedShortTwice', { lineId: entry.lineId }, { lineId: entry.lineId });
    }
    seen.add(entry.lineId);
    const { index, line } = progressLine(state, entry.lineId);
    if (entry.foundQty >= line.qty) {
      throw new DomainError(
        'NOT_ALLOWED',
        'bopis.lineNotShortSku',
        { lineId: line.lineId, foundQty: entry.foundQty, qty: line.qty, sku: line.sku },
        { lineId: line.lineId, foundQty: entry.foundQty, qty: line.qty },
      );
    }
    updated[index] = { lineId: line.lineId, pickedQty: entry.foundQty, shortPicked: true };
  }
  return updated;
}

function discrepanciesFor(
  order: BopisOrder,
  nodeId: string,
  progress: readonly BopisLineProgress[],
): BopisCountDiscrepancy[] {
  const discrepancies: BopisCountDiscrepancy[] = [];
  order.lines.forEach((line, index) => {
    const lineProgress = progress[index];
    if (lineProgress?.shortPicked === true) {
      discrepancies.push({
        nodeId,
        lineId: line.lineId,
        sku: line.sku,
        expectedQty: line.qty,
        foundQty: lineProgress.pickedQty,
      });
    }
  });
  return discrepancies;
}

function reportShort(
  state: BopisOrderState,
  transition: Extract<BopisTransition, { action: 'report_short' }>,
) {
  const progress = withShortLines(state, transition.found);
  const nodeId = state.nodeId as string;
  if (!progress.some((line) => line.shortPicked)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.nothingOrderMarkedShort',
      { orderNumber: state.order.orderNumber },
      { orderId: state.order.orderId },
    );
  }
  const effects = emptyEffects();
  if (state.reservation !== undefined) {
    // Picked units were never staged (that happens on ready), so releasing moves nothing physically.
    effects.reservations.push(moveReservation(state.order, state.reservation, 'release').effect);
  }
  effects.countDiscrepancies.push(...discrepanciesFor(state.order, nodeId, progress));
  const next = advance(
    without(state, 'reservation'),
    transition,
    'SHORT_PICK',
    { progress, excludedNodeIds: addExcluded(state.excludedNodeIds, nodeId) },
    `Store ${nodeId} found too few units.`,
  );
  return applied(next, effects);
}

function addExcluded(excluded: readonly string[], nodeId: string): string[] {
  return excluded.includes(nodeId) ? [...excluded] : [...excluded, nodeId];
}

function markReady(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'mark_ready' }>) {
  const progress = pickProgress(
    state.order.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      pickedQty: state.progress[index]?.pickedQty ?? 0,
      shortPicked: state.progress[index]?.shortPicked ?? false,
    })),
  );
  if (progress.outcome !== 'ready') {
    const missing = [...progress.shortLineIds, ...progress.outstandingLineIds];
    throw new DomainError(
      'NOT_ALLOWED',
      progress.outcome === 'short' ? 'bopis.orderShortLinesReport' : 'bopis.orderNotFullyPicked',
      progress.outcome === 'short'
        ? { orderNumber: state.order.orderNumber, shortLineIds: progress.shortLineIds.join(', ') }
        : { orderNumber: state.order.orderNumber, missing: missing.join(', ') },
      {
        orderId: state.order.orderId,
        shortLineIds: progress.shortLineIds,
        outstandingLineIds: progress.outstandingLineIds,
      },
    );
  }
  const effects = emptyEffects();
  const reservation = state.reservation as BopisReservationRef;
  const staged = moveReservation(state.order, reservation, 'stage');
  effects.reservations.push(staged.effect);
  effects.storeMovements.push(...staged.movements);
  effects.notification = 'ready_for_pickup';
  const deadline = pickupDeadlineFor(state.order.pickupPolicy, transition.at);
  const next = advance(
    state,
    transition,
    'READY_FOR_PICKUP',
    {
      reservation: { nodeId: reservation.nodeId, status: 'STAGED' },
      readyAt: transition.at,
      pickupDeadline: deadline.pickupDeadline,
      expiresAt: deadline.expiresAt,
    },
    `Ready at store ${reservation.nodeId}; collect by ${formatInstant(deadline.pickupDeadline)}.`,
  );
  return applied(next, effects);
}

/**
 * Packing a ship order stages what was picked (sellable → staged) into parcels. A ship order may leave
 * short (the customer is charged only for what leaves): a short line's reservation is released whole and
 * its found units are staged without one — reservations move whole, and the shortfall is a count
 * discrepancy either way. A pickup order never leaves short: it is re-routed.
 */
function pack(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'pack' }>) {
  const order = state.order;
  const progress = pickProgress(
    order.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      pickedQty: state.progress[index]?.pickedQty ?? 0,
      shortPicked: state.progress[index]?.shortPicked ?? false,
    })),
  );
  if (progress.outcome === 'in_progress') {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.orderNotFullyPicked2',
      { orderNumber: order.orderNumber, outstandingLineIds: progress.outstandingLineIds.join(', ') },
      { orderId: order.orderId, outstandingLineIds: progress.outstandingLineIds },
    );
  }
  const packedLines: ShippedLine[] = order.lines.flatMap((line, index) => {
    const qty = Math.min(line.qty, state.progress[index]?.pickedQty ?? 0);
    return qty > 0 ? [{ lineId: line.lineId, qty }] : [];
  });
  if (packedLines.length === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.nothingOrderFoundNothing',
      { orderNumber: order.orderNumber },
      { orderId: order.orderId },
    );
  }
  const captureAmount = captureAmountFor(order, packedLines);
  const reservation = state.reservation as BopisReservationRef;
  const full = order.lines.filter(
    (line) => packedLines.find((packed) => packed.lineId === line.lineId)?.qty === line.qty,
  );
  const short = order.lines.filter((line) => !full.includes(line));
  const effects = emptyEffects();
  if (full.length > 0) {
    const staged = moveReservation(order, reservation, 'stage', full);
    effects.reservations.push(staged.effect);
    effects.storeMovements.push(...staged.movements);
  }
  if (short.length > 0) {
    effects.reservations.push(moveReservation(order, reservation, 'release', short).effect);
    for (const line of short) {
      const qty = packedLines.find((packed) => packed.lineId === line.lineId)?.qty ?? 0;
      if (qty > 0) {
        effects.storeMovements.push(
          ...bucketMove(
            reservation.nodeId,
            { lineId: line.lineId, sku: line.sku, qty },
            'PICK',
            'sellable',
            'staged',
          ),
        );
      }
    }
    effects.countDiscrepancies.push(...discrepanciesFor(order, reservation.nodeId, state.progress));
  }
  const weight = transition.parcels.reduce((total, parcel) => total + parcel.weightGrams, 0);
  const next = advance(
    state,
    transition,
    'PACKED',
    {
      reservation: { nodeId: reservation.nodeId, status: 'STAGED' },
      shipment: { parcels: transition.parcels, packedAt: transition.at, lines: packedLines, captureAmount },
    },
    `Packed at ${reservation.nodeId} in ${transition.parcels.length} parcel(s), ${weight} g` +
      (short.length > 0 ? `; short on line ${short.map((line) => line.lineId).join(', ')}.` : '.'),
  );
  return applied(next, effects);
}

function sameShippedLines(a: readonly ShippedLine[], b: readonly ShippedLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line) => b.some((other) => other.lineId === line.lineId && other.qty === line.qty))
  );
}

function shipmentMovements(
  state: BopisOrderState,
  nodeId: string,
): { reservation?: BopisReservationEffect; movements: BopisMovement[] } {
  const reservation = state.reservation;
  const lines = reservedLines(state);
  let effect: BopisReservationEffect | undefined;
  const movements: BopisMovement[] = [];
  if (reservation !== undefined && reservation.status === 'STAGED' && lines.length > 0) {
    const consumed = moveReservation(state.order, reservation, 'consume', lines);
    effect = consumed.effect;
    movements.push(...consumed.movements.map((movement) => ({ ...movement, type: 'SHIPMENT' as const })));
  }
  for (const line of unreservedPackedLines(state)) {
    movements.push({
      nodeId,
      lineId: line.lineId,
      sku: line.sku,
      type: 'SHIPMENT',
      bucket: 'staged',
      delta: -line.qty,
    });
  }
  return effect === undefined ? { movements } : { reservation: effect, movements };
}

/** The parcels leave with the carrier: staged units leave the ledger, the payment is captured. */
function ship(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'ship' }>) {
  const shipment = state.shipment;
  if (shipment === undefined || !sameShippedLines(shipment.lines, transition.lines)) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.shipmentOrderNotMatch',
      { orderNumber: state.order.orderNumber },
      { orderId: state.order.orderId },
    );
  }
  const nodeId = state.nodeId as string;
  const effects = emptyEffects();
  const moved = shipmentMovements(state, nodeId);
  if (moved.reservation !== undefined) effects.reservations.push(moved.reservation);
  effects.storeMovements.push(...moved.movements);
  effects.payment = 'capture';
  if (shipment.captureAmount < state.order.payment.amount) effects.captureAmount = shipment.captureAmount;
  effects.notification = 'shipped';
  const next = advance(
    without(state, 'reservation'),
    transition,
    'SHIPPED',
    {
      closedAt: transition.at,
      shipment: {
        ...shipment,
        carrier: transition.carrier,
        trackingNumber: transition.trackingNumber,
        shippedAt: transition.at,
      },
    },
    `Shipped from ${nodeId} with ${transition.carrier}, tracking ${transition.trackingNumber}.`,
  );
  return applied(next, effects);
}

function handOver(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'hand_over' }>) {
  const effects = emptyEffects();
  const reservation = state.reservation as BopisReservationRef;
  const consumed = moveReservation(state.order, reservation, 'consume');
  effects.reservations.push(consumed.effect);
  effects.storeMovements.push(...consumed.movements);
  effects.payment = 'capture';
  const next = advance(
    without(state, 'reservation'),
    transition,
    'PICKED_UP',
    { closedAt: transition.at },
    `Handed over at store ${reservation.nodeId}, verified by ${transition.verifiedBy.replaceAll('_', ' ')}.`,
  );
  return applied(next, effects);
}

function reroute(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'reroute' }>) {
  const effects = emptyEffects();
  let excludedNodeIds = [...state.excludedNodeIds];
  let reservation = state.reservation;
  if (state.status !== 'SHORT_PICK' && state.nodeId !== undefined) {
    // The units stay promised (SHORT holds nothing but keeps the exposure visible) until a new node takes
    // the order (REASSIGNED) or it is cancelled (RELEASED).
    if (reservation !== undefined && reservation.status === 'ACTIVE') {
      effects.reservations.push(moveReservation(state.order, reservation, 'mark_short').effect);
      reservation = { nodeId: reservation.nodeId, status: 'SHORT' };
    }
    effects.storeTasks.push(withdrawTask(state.nodeId, state.order.orderNumber));
    excludedNodeIds = addExcluded(excludedNodeIds, state.nodeId);
  }
  const base = without(state, 'nodeId', 'reservation');
  const next = advance(
    base,
    transition,
    'REROUTING',
    {
      ...(reservation === undefined ? {} : { reservation }),
      excludedNodeIds,
      progress: freshProgress(state.order),
    },
    `Re-routing (${transition.reason.replaceAll('_', ' ')}).`,
  );
  return applied(next, effects);
}

/** Releases whatever the order still holds; staged units go back to the shelf through a store task. */
function releaseEverything(state: BopisOrderState, effects: MutableEffects): void {
  const reservation = state.reservation;
  if (reservation !== undefined) {
    const lines = reservedLines(state);
    const released =
      lines.length > 0
        ? moveReservation(state.order, reservation, 'release', lines)
        : { effect: undefined, movements: [] };
    if (released.effect !== undefined) effects.reservations.push(released.effect);
    const movements = [
      ...released.movements,
      ...unreservedPackedLines(state).flatMap((line) =>
        bucketMove(reservation.nodeId, line, 'UNSTAGE', 'staged', 'sellable'),
      ),
    ];
    if (movements.length > 0) {
      effects.storeTasks.push(unstageTask(reservation.nodeId, state.order.orderNumber, movements));
    }
  }
  const pickingNode =
    state.status === 'ROUTED' || state.status === 'ACCEPTED' || state.status === 'PICKING'
      ? state.nodeId
      : undefined;
  if (pickingNode !== undefined) effects.storeTasks.push(withdrawTask(pickingNode, state.order.orderNumber));
}

function cancel(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'cancel' }>) {
  const effects = emptyEffects();
  releaseEverything(state, effects);
  effects.payment = 'void';
  effects.notification = 'cancelled';
  const next = advance(
    without(state, 'reservation'),
    transition,
    'CANCELLED',
    { closedAt: transition.at, cancelReason: transition.reason },
    `Cancelled (${transition.reason.replaceAll('_', ' ')})${transition.note === undefined ? '' : `: ${transition.note}`}.`,
  );
  return applied(next, effects);
}

function expire(state: BopisOrderState, transition: Extract<BopisTransition, { action: 'expire' }>) {
  const expiresAt = state.expiresAt;
  if (expiresAt === undefined || transition.at < expiresAt) {
    throw new DomainError(
      'NOT_ALLOWED',
      expiresAt === undefined ? 'bopis.orderNoPickupDeadline' : 'bopis.orderNotExpireUntil',
      expiresAt === undefined
        ? { orderNumber: state.order.orderNumber }
        : { orderNumber: state.order.orderNumber, expiresAt: formatInstant(expiresAt) },
      { orderId: state.order.orderId, expiresAt, at: transition.at },
    );
  }
  const effects = emptyEffects();
  releaseEverything(state, effects);
  effects.payment = 'void';
  effects.notification = 'expired';
  const next = advance(
    without(state, 'reservation'),
    transition,
    'EXPIRED',
    { closedAt: transition.at },
    `Not collected by ${formatInstant(state.pickupDeadline ?? expiresAt)}.`,
  );
  return applied(next, effects);
}

function applyConcurrentStoreStep(
  state: BopisOrderState,
  transition: BopisTransition,
  nodeId: string,
): BopisTransitionOutcome {
  const number = state.order.orderNumber;
  if (transition.action === 'hand_over') {
    if (state.status === 'PICKED_UP') {
      return supersede(state, transition, `Order ${number} was already handed over.`, emptyEffects());
    }
    if (state.status === 'READY_FOR_PICKUP' && state.nodeId === nodeId) {
      return handOver(state, transition);
    }
    return resolveLateHandover(state, transition, nodeId);
  }
  if (transition.action === 'ship') {
    if (state.status === 'SHIPPED') {
      return supersede(state, transition, `Order ${number} was already shipped.`, emptyEffects());
    }
    if (state.status === 'PACKED' && state.nodeId === nodeId) return ship(state, transition);
    return resolveLateHandover(state, transition, nodeId);
  }
  const effects = emptyEffects();
  switch (transition.action) {
    case 'mark_ready': {
      // The store staged the units offline (its event carries the PICK movements): they go back.
      const movements = state.order.lines.flatMap((line) => [
        {
          nodeId,
          lineId: line.lineId,
          sku: line.sku,
          type: 'UNSTAGE' as const,
          bucket: 'staged' as const,
          delta: -line.qty,
        },
        {
          nodeId,
          lineId: line.lineId,
          sku: line.sku,
          type: 'UNSTAGE' as const,
          bucket: 'sellable' as const,
          delta: line.qty,
        },
      ]);
      effects.storeTasks.push(unstageTask(nodeId, number, movements));
      break;
    }
    case 'short_line':
    case 'report_short': {
      // What the store did not find is a fact about its shelf, whatever happened to the order.
      const found =
        transition.action === 'short_line'
          ? [{ lineId: transition.lineId, foundQty: transition.foundQty }]
          : transition.found;
      for (const entry of found) {
        const line = state.order.lines.find((candidate) => candidate.lineId === entry.lineId);
        if (line !== undefined && entry.foundQty < line.qty) {
          effects.countDiscrepancies.push({
            nodeId,
            lineId: line.lineId,
            sku: line.sku,
            expectedQty: line.qty,
            foundQty: entry.foundQty,
          });
        }
      }
      break;
    }
    default:
      break;
  }
  return supersede(
    state,
    transition,
    `Order ${number} was ${describeBopisStatus(state.status)} at the hub before this store step arrived; the store must drop it.`,
    effects,
  );
}

function supersede(
  state: BopisOrderState,
  transition: BopisTransition,
  reason: string,
  effects: BopisEffects,
): BopisTransitionOutcome {
  const next: BopisOrderState = {
    ...state,
    superseded: [
      ...state.superseded,
      {
        transitionId: transition.transitionId,
        action: transition.action,
        actor: transition.actor,
        at: transition.at,
        reason,
      },
    ],
  };
  return { kind: 'superseded', state: next, reason, effects };
}

/**
 * The conflict rule (reference/domain.md §2.2): a handover recorded offline is a physical fact and beats
 * whatever the hub decided meanwhile. The order ends PICKED_UP where the customer got the goods; what the
 * hub had set in motion is undone (other node's reservation released, its staged units unstaged), and HQ
 * gets a conflict record — with a refund decision when the payment was voided by a cancel or expiry.
 */
function resolveLateHandover(
  state: BopisOrderState,
  transition: Extract<BopisTransition, { action: 'hand_over' | 'ship' }>,
  nodeId: string,
): BopisTransitionOutcome {
  const order = state.order;
  const shipped = transition.action === 'ship' ? transition.lines : undefined;
  const effects = emptyEffects();
  const reservation = state.reservation;
  if (reservation !== undefined) {
    if (reservation.nodeId === nodeId && reservation.status === 'STAGED') {
      effects.reservations.push(moveReservation(order, reservation, 'consume').effect);
    } else {
      const released = moveReservation(order, reservation, 'release');
      effects.reservations.push(released.effect);
      if (released.movements.length > 0 && reservation.nodeId !== nodeId) {
        effects.storeTasks.push(unstageTask(reservation.nodeId, order.orderNumber, released.movements));
      }
    }
  }
  if (
    state.nodeId !== undefined &&
    state.nodeId !== nodeId &&
    (state.status === 'ROUTED' || state.status === 'ACCEPTED' || state.status === 'PICKING')
  ) {
    effects.storeTasks.push(withdrawTask(state.nodeId, order.orderNumber));
  }
  // The store's own event carries these; they are listed so the hub can check the event against them.
  effects.storeMovements.push(
    ...order.lines.flatMap((line) => {
      const qty =
        shipped === undefined ? line.qty : (shipped.find((entry) => entry.lineId === line.lineId)?.qty ?? 0);
      if (qty <= 0) return [];
      return [
        {
          nodeId,
          lineId: line.lineId,
          sku: line.sku,
          type: shipped === undefined ? ('PICKUP_HANDOVER' as const) : ('SHIPMENT' as const),
          bucket: 'staged' as const,
          delta: -qty,
        },
      ];
    }),
  );
  effects.payment = 'capture';
  if (shipped !== undefined) {
    const amount = lateCaptureAmount(order, shipped);
    if (amount < order.payment.amount) effects.captureAmount = amount;
    effects.notification = 'shipped';
  }

  const head = state.log[state.log.length - 1] as BopisLogEntry;
  const type =
    shipped !== undefined
      ? state.status === 'CANCELLED'
        ? 'SHIPPED_AFTER_CANCEL'
        : 'SHIPPED_AFTER_REROUTE'
      : state.status === 'CANCELLED'
        ? 'HANDOVER_AFTER_CANCEL'
        : state.status === 'EXPIRED'
          ? 'HANDOVER_AFTER_EXPIRY'
          : 'HANDOVER_AFTER_REROUTE';
  const afterReroute = type === 'HANDOVER_AFTER_REROUTE' || type === 'SHIPPED_AFTER_REROUTE';
  const verb = shipped === undefined ? 'handed over' : 'shipped';
  const when = formatInstant(transition.at);
  const conflict: HandoverConflict = {
    type,
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    nodeId,
    handedOverAt: transition.at,
    overriddenStatus: state.status,
    overriddenVersion: state.version,
    overriddenAt: head.at,
    ...(afterReroute
      ? {}
      : {
          refund: {
            decision: 'REVIEW_REFUND' as const,
            authorisationRef: order.payment.authorisationRef,
            amount: order.payment.amount,
            currency: order.payment.currency,
            options: ['capture_payment' as const, 'request_return' as const, 'write_off' as const],
          },
        }),
    message: afterReroute
      ? `Order ${order.orderNumber} was ${verb} at store ${nodeId} at ${when} while the hub was moving it (${describeBopisStatus(state.status)}); the other store's work on it is void.`
      : `Order ${order.orderNumber} was ${verb} at store ${nodeId} at ${when}, after the hub had ${type === 'HANDOVER_AFTER_EXPIRY' ? 'expired' : 'cancelled'} it. The customer has the goods but the payment was voided: capture it again, ask for a return or write it off.`,
  };
  const next = advance(
    without(state, 'reservation', 'cancelReason'),
    transition,
    shipped === undefined ? 'PICKED_UP' : 'SHIPPED',
    {
      nodeId,
      closedAt: transition.at,
      ...(transition.action === 'ship'
        ? {
            shipment: {
              parcels: state.shipment?.parcels ?? [{ parcelId: 'unrecorded', weightGrams: 1 }],
              packedAt: state.shipment?.packedAt ?? transition.at,
              lines: transition.lines,
              captureAmount: lateCaptureAmount(order, transition.lines),
              carrier: transition.carrier,
              trackingNumber: transition.trackingNumber,
              shippedAt: transition.at,
            },
          }
        : {}),
    },
    `${shipped === undefined ? 'Handed over' : 'Shipped'} at store ${nodeId} after the order was ${describeBopisStatus(state.status)} (${type}).`,
  );
  return { kind: 'conflict_resolved', state: next, effects, conflict };
}

/** A shipment the hub did not see packed: charge what left, or the whole authorisation without line amounts. */
function lateCaptureAmount(order: BopisOrder, shipped: readonly ShippedLine[]): number {
  try {
    return captureAmountFor(order, shipped);
  } catch (error) {
    if (error instanceof DomainError) return order.payment.amount;
    throw error;
  }
}

/** The routing request for this order now: its lines, pickup target and the nodes already failed. */
export function routingRequestFor(
  state: BopisOrderState,
  options: { readonly allowSplit?: boolean } = {},
): RoutingRequestInput {
  return {
    orderId: state.order.orderId,
    lines: lineQtys(state.order),
    pickup: state.order.pickup,
    splitConsent: options.allowSplit ?? state.order.splitConsent,
    excludedNodeIds: [...state.excludedNodeIds],
  };
}
