import { assertNever } from '../errors';

/**
 * Online order states (reference/domain.md §2.2). Pickup (BOPIS) and ship-to-home orders share the machine
 * up to picking; a pickup order then goes READY_FOR_PICKUP → PICKED_UP, a ship order PACKED → SHIPPED.
 * Terminal: PICKED_UP, SHIPPED, EXPIRED, CANCELLED.
 * Hub-owned: PLACED, ROUTED, REROUTING, EXPIRED, CANCELLED. Node-owned (advance offline): ACCEPTED,
 * PICKING, READY_FOR_PICKUP, PICKED_UP, PACKED, SHIPPED, SHORT_PICK.
 */
export const BOPIS_STATUSES = [
  'PLACED',
  'ROUTED',
  'ACCEPTED',
  'PICKING',
  'READY_FOR_PICKUP',
  'PICKED_UP',
  'PACKED',
  'SHIPPED',
  'SHORT_PICK',
  'REROUTING',
  'EXPIRED',
  'CANCELLED',
] as const;
export type BopisStatus = (typeof BOPIS_STATUSES)[number];

export const TERMINAL_BOPIS_STATUSES: readonly BopisStatus[] = [
  'PICKED_UP',
  'SHIPPED',
  'EXPIRED',
  'CANCELLED',
];

export function isTerminalBopisStatus(status: BopisStatus): boolean {
  return TERMINAL_BOPIS_STATUSES.includes(status);
}

export const BOPIS_ACTIONS = [
  'route',
  'accept',
  'start_picking',
  'pick',
  'short_line',
  'report_short',
  'mark_ready',
  'hand_over',
  'pack',
  'ship',
  'reroute',
  'cancel',
  'expire',
] as const;
export type BopisAction = (typeof BOPIS_ACTIONS)[number];

export type BopisActorKind = 'hub' | 'store';

export interface BopisTransitionRule {
  readonly actor: BopisActorKind;
  readonly from: readonly BopisStatus[];
  readonly to: BopisStatus;
}

/**
 * The whole transition table. Departures from the reference table, on purpose:
 * - `cancel` is allowed from every non-terminal state: a customer or HQ may cancel until handover;
 * - `reroute` is also allowed from ACCEPTED and PICKING, because oversell victims are ACTIVE reservations
 *   whose store may already have accepted the order;
 * - `pick` and `short_line` record picking progress and stay in PICKING, so each scan is versioned and a
 *   replayed scan can never count twice.
 */
export const BOPIS_TRANSITIONS: Readonly<Record<BopisAction, BopisTransitionRule>> = {
  route: { actor: 'hub', from: ['PLACED', 'REROUTING'], to: 'ROUTED' },
  accept: { actor: 'store', from: ['ROUTED'], to: 'ACCEPTED' },
  start_picking: { actor: 'store', from: ['ACCEPTED'], to: 'PICKING' },
  pick: { actor: 'store', from: ['PICKING'], to: 'PICKING' },
  short_line: { actor: 'store', from: ['PICKING'], to: 'PICKING' },
  report_short: { actor: 'store', from: ['ACCEPTED', 'PICKING'], to: 'SHORT_PICK' },
  mark_ready: { actor: 'store', from: ['PICKING'], to: 'READY_FOR_PICKUP' },
  hand_over: { actor: 'store', from: ['READY_FOR_PICKUP'], to: 'PICKED_UP' },
  pack: { actor: 'store', from: ['PICKING'], to: 'PACKED' },
  ship: { actor: 'store', from: ['PACKED'], to: 'SHIPPED' },
  reroute: { actor: 'hub', from: ['ROUTED', 'ACCEPTED', 'PICKING', 'SHORT_PICK'], to: 'REROUTING' },
  cancel: {
    actor: 'hub',
    from: [
      'PLACED',
      'ROUTED',
      'ACCEPTED',
      'PICKING',
      'READY_FOR_PICKUP',
      'PACKED',
      'SHORT_PICK',
      'REROUTING',
    ],
    to: 'CANCELLED',
  },
  expire: { actor: 'hub', from: ['READY_FOR_PICKUP'], to: 'EXPIRED' },
};

export function describeBopisStatus(status: BopisStatus): string {
  switch (status) {
    case 'PLACED':
      return 'placed and waiting to be routed';
    case 'ROUTED':
      return 'routed to a store and waiting to be accepted';
    case 'ACCEPTED':
      return 'accepted by the store';
    case 'PICKING':
      return 'being picked';
    case 'READY_FOR_PICKUP':
      return 'ready for pickup';
    case 'PICKED_UP':
      return 'already handed over';
    case 'PACKED':
      return 'packed and waiting for the carrier';
    case 'SHIPPED':
      return 'already shipped';
    case 'SHORT_PICK':
      return 'short-picked and waiting for the hub';
    case 'REROUTING':
      return 'being re-routed to another store';
    case 'EXPIRED':
      return 'expired';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return assertNever(status, 'BOPIS status');
  }
}

export function describeBopisAction(action: BopisAction): string {
  switch (action) {
    case 'route':
      return 'routed';
    case 'accept':
      return 'accepted';
    case 'start_picking':
      return 'started picking';
    case 'pick':
      return 'picked';
    case 'short_line':
      return 'marked short on a line';
    case 'report_short':
      return 'reported short';
    case 'mark_ready':
      return 'marked ready for pickup';
    case 'hand_over':
      return 'handed over';
    case 'pack':
      return 'packed';
    case 'ship':
      return 'shipped';
    case 'reroute':
      return 're-routed';
    case 'cancel':
      return 'cancelled';
    case 'expire':
      return 'expired';
    default:
      return assertNever(action, 'BOPIS action');
  }
}
