import { DomainError, assertNever, invalid } from '../errors';
import type { Bucket, MovementType } from './movement';

/**
 * Reservations are hub records that promise units at one node to an order (reference/domain.md §1).
 *
 *   HELD(ttl) → ACTIVE → STAGED → CONSUMED
 *   HELD / ACTIVE / STAGED / SHORT → RELEASED
 *   ACTIVE / SHORT → REASSIGNED   (the order moved to another node; a new reservation is made there)
 *   ACTIVE → SHORT                (the node cannot cover it; the order is exposed)
 *   SHORT → ACTIVE                (stock arrived at the node and covers it again)
 *
 * CONSUMED, RELEASED and REASSIGNED are terminal. HELD and ACTIVE reservations hold units still on the
 * shelf (they count against `sellable` in ATP); STAGED units were moved into the `staged` bucket, so they
 * no longer count against `sellable`; SHORT holds nothing.
 */
export const RESERVATION_STATUSES = [
  'HELD',
  'ACTIVE',
  'STAGED',
  'CONSUMED',
  'RELEASED',
  'REASSIGNED',
  'SHORT',
] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export const TERMINAL_RESERVATION_STATUSES: readonly ReservationStatus[] = [
  'CONSUMED',
  'RELEASED',
  'REASSIGNED',
];

export const RESERVATION_ACTIONS = [
  'activate',
  'stage',
  'consume',
  'release',
  'reassign',
  'mark_short',
] as const;
export type ReservationAction = (typeof RESERVATION_ACTIONS)[number];

export interface ReservationState {
  readonly reservationId: string;
  readonly status: ReservationStatus;
  /** Units (or grams for kg SKUs) promised; always a positive whole number. */
  readonly qty: number;
  /** Epoch ms after which a HELD reservation no longer holds anything; absent for order-backed ones. */
  readonly expiresAt?: number | undefined;
}

/** A bucket change a transition causes at the reservation's node, recorded in the ledger. */
export interface ReservationMovement {
  readonly type: MovementType;
  readonly bucket: Bucket;
  readonly delta: number;
}

export interface ReservationTransition {
  readonly from: ReservationStatus;
  readonly to: ReservationStatus;
  /** Change to the node's committed (reserved, not yet staged) quantity. */
  readonly committedDelta: number;
  readonly movements: readonly ReservationMovement[];
  /** True when the caller must check ATP before committing (the transition takes units again). */
  readonly needsAvailability: boolean;
}

const TARGETS: Readonly<Record<ReservationAction, Partial<Record<ReservationStatus, ReservationStatus>>>> = {
  activate: { HELD: 'ACTIVE', SHORT: 'ACTIVE' },
  stage: { ACTIVE: 'STAGED' },
  consume: { STAGED: 'CONSUMED' },
  release: { HELD: 'RELEASED', ACTIVE: 'RELEASED', STAGED: 'RELEASED', SHORT: 'RELEASED' },
  reassign: { ACTIVE: 'REASSIGNED', SHORT: 'REASSIGNED' },
  mark_short: { ACTIVE: 'SHORT' },
};

export function isTerminalReservation(status: ReservationStatus): boolean {
  return TERMINAL_RESERVATION_STATUSES.includes(status);
}

/** Whether the reservation holds shelf units at `at` (counts in committed / active-unstaged). */
export function holdsShelfUnits(reservation: ReservationState, at: number): boolean {
  switch (reservation.status) {
    case 'ACTIVE':
      return true;
    case 'HELD':
      return reservation.expiresAt === undefined || reservation.expiresAt > at;
    case 'STAGED':
    case 'CONSUMED':
    case 'RELEASED':
    case 'REASSIGNED':
    case 'SHORT':
      return false;
    default:
      return assertNever(reservation.status, 'reservation status');
  }
}

/** What a status contributes to the node's committed quantity as stored (expiry is swept separately). */
function committedShare(status: ReservationStatus, qty: number): number {
  return status === 'HELD' || status === 'ACTIVE' ? qty : 0;
}

export function assertReservationQty(qty: number): void {
  if (!Number.isSafeInteger(qty) || qty <= 0) {
    throw invalid(
      'inventory.reservationQuantityMustWhole',
      {},
      {
        qty,
      },
    );
  }
}

/**
 * Decides a transition: the next status, the change to the committed quantity and the ledger movements
 * it implies. Refuses illegal transitions with NOT_ALLOWED so a terminal reservation never moves again.
 */
export function transitionReservation(
  reservation: ReservationState,
  action: ReservationAction,
): ReservationTransition {
  assertReservationQty(reservation.qty);
  const to = TARGETS[action][reservation.status];
  if (to === undefined) {
    throw new DomainError(
      'NOT_ALLOWED',
      'inventory.reservationCannot',
      {
        reservationId: reservation.reservationId,
        reservationStatus: reservation.status,
        action: describeAction(action),
      },
      { reservationId: reservation.reservationId, status: reservation.status, action },
    );
  }
  const from = reservation.status;
  const qty = reservation.qty;
  const committedDelta = committedShare(to, qty) - committedShare(from, qty);
  return {
    from,
    to,
    committedDelta,
    movements: movementsFor(from, to, qty),
    needsAvailability: committedDelta > 0,
  };
}

function movementsFor(from: ReservationStatus, to: ReservationStatus, qty: number): ReservationMovement[] {
  if (from === 'ACTIVE' && to === 'STAGED') {
    return [
      { type: 'PICK', bucket: 'sellable', delta: -qty },
      { type: 'PICK', bucket: 'staged', delta: qty },
    ];
  }
  if (from === 'STAGED' && to === 'CONSUMED')
    return [{ type: 'PICKUP_HANDOVER', bucket: 'staged', delta: -qty }];
  if (from === 'STAGED' && to === 'RELEASED') {
    return [
      { type: 'UNSTAGE', bucket: 'staged', delta: -qty },
      { type: 'UNSTAGE', bucket: 'sellable', delta: qty },
    ];
  }
  return [];
}

function describeAction(action: ReservationAction): string {
  switch (action) {
    case 'activate':
      return 'activated';
    case 'stage':
      return 'staged';
    case 'consume':
      return 'handed over';
    case 'release':
      return 'released';
    case 'reassign':
      return 'reassigned';
    case 'mark_short':
      return 'marked short';
    default:
      return assertNever(action, 'reservation action');
  }
}

/** Committed (reserved, not yet staged) quantity at `at`, computed from the reservations themselves. */
export function committedQty(reservations: Iterable<ReservationState>, at: number): number {
  let total = 0;
  for (const reservation of reservations) {
    if (holdsShelfUnits(reservation, at)) total += reservation.qty;
  }
  return total;
}

/** HELD reservations whose hold ran out at `at`: the hub releases them before judging availability. */
export function expiredHolds<T extends ReservationState>(reservations: Iterable<T>, at: number): T[] {
  const expired: T[] = [];
  for (const reservation of reservations) {
    if (reservation.status === 'HELD' && reservation.expiresAt !== undefined && reservation.expiresAt <= at) {
      expired.push(reservation);
    }
  }
  return expired;
}
